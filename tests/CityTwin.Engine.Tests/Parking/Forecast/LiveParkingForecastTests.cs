using System.Text;
using System.Text.Json;
using CityTwin.Engine.City;
using CityTwin.Engine.Live;
using CityTwin.Engine.Parking.Forecast;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Formats.GeoJson;
using CityTwin.Formats.ParkingForecast;
using CityTwin.Formats.ParkingWhatIf;
using NetTopologySuite.Geometries;

namespace CityTwin.Engine.Tests.Parking.Forecast;

/// <summary>
/// The occupancy model in the live twin (docs/parking-forecast.md, "In the live twin"): the live facility, fed the
/// counts of the Birmingham slice (CC BY 4.0, tests/data/parking-birmingham/SOURCE.txt) as parking-occupancy events,
/// forecasts what the offline backtest forecasts; the slot rule; the city's time zone; the model file.
/// </summary>
public sealed class LiveParkingForecastTests : IDisposable
{
    private static readonly string SlicePath = Path.Combine(AppContext.BaseDirectory, "data", "parking-birmingham", "birmingham-10-carparks.csv");
    private static readonly string Riverton = Path.Combine(AppContext.BaseDirectory, "cities", "riverton");
    private static readonly DateTime HeldOutFrom = new(2016, 11, 28);
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly long Slot = TimeSpan.FromMinutes(30).Ticks;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citytwin-live-forecast-" + Guid.NewGuid().ToString("N"));

    public LiveParkingForecastTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The slice's counts, and the same counts with only the first of each (facility, nearest 30-minute slot): what the slot rule keeps.</summary>
    private static (List<OccupancySample> All, List<OccupancySample> OnePerSlot) Counts()
    {
        var all = OccupancyCountsReader.ReadFileNumbered(SlicePath).Samples.ToList();
        var kept = new List<OccupancySample>();
        foreach (var g in OccupancyHistory.Build(all).Facilities)
        {
            var last = long.MinValue;
            for (var i = 0; i < g.Count; i++)
            {
                var slot = (g.Ticks[i] + (Slot / 2)) / Slot;
                if (slot > last)
                {
                    kept.Add(new OccupancySample(g.Facility, g.Capacity[i], (int)g.Occupied[i], new DateTime(g.Ticks[i])));
                    last = slot;
                }
            }
        }

        return (all, kept);
    }

    private static ParkingFacility Facility(string id, int capacity) =>
        new(id, id, new Coordinate(0, 0), capacity, 1, "GBP", ParkingType.OffStreet, new Placement(0, 0, "c", "d"));

    private static long Utc(DateTime local) => FittedParkingModel.ToUtc(local.Ticks, London);

    private static FittedParkingModel RoundTrip(FittedParkingModel model)
    {
        using var stream = new MemoryStream();
        ParkingModelFile.Write(stream, model, "test");
        return ParkingModelFile.Read(stream.ToArray(), "model.json");
    }

    private static ParkingSnapshot JsonRoundTrip(ParkingSnapshot snapshot) =>
        JsonSerializer.Deserialize<ParkingSnapshot>(JsonSerializer.Serialize(snapshot))!;

    [Theory]
    [InlineData(60)]
    [InlineData(180)]
    public void The_live_facility_fed_the_counts_forecasts_what_the_offline_backtest_forecasts(int horizonMin)
    {
        // The oracle: the offline backtest on the counts the slot rule keeps (the slice has a few counts that share a slot).
        var (all, kept) = Counts();
        Assert.Equal(4, OccupancyHistory.Build(all).Used - kept.Count); // usable counts that share a slot with an earlier one
        var history = OccupancyHistory.Build(kept);
        var backtest = OccupancyBacktest.Run(history, HeldOutFrom, horizonMin);
        var horizon = TimeSpan.FromMinutes(horizonMin).Ticks;

        // The live twin: parameters and end-of-training profiles from a model file fitted as the backtest fits, read back.
        var model = RoundTrip(FittedParkingModel.Fit(history, new DateTime(HeldOutFrom.Ticks - horizon + 1), new ForecastOptions { MaxHorizonMin = Math.Max(1440, horizonMin) }));
        var compared = 0;
        foreach (var f in history.Facilities)
        {
            var events = all.Where(s => s.Facility == f.Facility && s.LocalTime >= new DateTime(HeldOutFrom.Ticks - horizon + 1) && s.Occupied >= 0)
                .OrderBy(s => s.LocalTime).ToList();
            var facility = Facility(f.Facility, f.Capacity[0]);
            var live = new ParkingLive(facility, LiveOptions.Default, null, model, London);
            var next = 0;
            var seq = 0L;
            foreach (var row in backtest.Rows.Where(r => r.Facility == f.Facility))
            {
                var origin = row.LocalTime.Ticks - horizon;
                while (next < events.Count && events[next].LocalTime.Ticks <= origin)
                {
                    var e = events[next++];
                    live.Apply(new SensorReading(SensorEventType.ParkingOccupancy, f.Facility, Utc(e.LocalTime), ++seq, Occupied: Math.Min(e.Occupied, facility.Capacity)));
                    if (seq % 100 == 0)
                    {
                        // Now and then the grain is restored from its persisted snapshot.
                        live = new ParkingLive(facility, LiveOptions.Default, JsonRoundTrip(live.Snapshot()), model, London);
                    }
                }

                var p = live.Model!.Predict(Utc(row.LocalTime), Utc(new DateTime(origin)));
                Assert.Equal(row.Forecast, p?.Forecast);
                Assert.Equal(row.Lower, p?.Lower);
                Assert.Equal(row.Upper, p?.Upper);
                Assert.Equal(row.Basis, p?.Basis);
                compared++;
            }

            // The view forecasts from the watermark with the same state.
            var view = live.View();
            var now = live.WatermarkTicks!.Value;
            Assert.Equal(ParkingLive.ModelHorizonsMin, view.Forecast.Select(x => x.HorizonMin));
            foreach (var point in view.Forecast)
            {
                var expected = live.Model!.Predict(now + TimeSpan.FromMinutes(point.HorizonMin).Ticks, now)!.Value;
                Assert.Equal(expected.Forecast, point.Occupied, 9);
                Assert.Equal(expected.Lower, point.Lower!.Value, 9);
                Assert.Equal(expected.Upper, point.Upper!.Value, 9);
                Assert.Equal(ForecastBases.Name(expected.Basis), point.Basis);
                Assert.True(point.Lower <= point.Occupied && point.Occupied <= point.Upper);
            }

            Assert.StartsWith("model: weekday/time profile in Europe/London", view.ForecastMethod, StringComparison.Ordinal);
        }

        Assert.Equal(backtest.Rows.Count, compared);
        Assert.True(compared > 2400, $"{compared} held-out counts compared");
    }

    [Fact]
    public void One_count_per_slot_goes_into_the_profile_the_occupancy_after_the_first_event_of_the_slot()
    {
        var model = Constant(recency: 1);
        var live = new ParkingLive(Facility("P", 100), LiveOptions.Default, null, model, TimeZoneInfo.Utc);
        var t0 = new DateTime(2024, 1, 8, 8, 0, 0).Ticks; // a Monday
        var seq = 0;
        void Occupancy(int minutes, int occupied) => live.Apply(new SensorReading(SensorEventType.ParkingOccupancy, "P", t0 + TimeSpan.FromMinutes(minutes).Ticks, ++seq, Occupied: occupied));
        void Entry(int minutes) => live.Apply(new SensorReading(SensorEventType.Parking, "P", t0 + TimeSpan.FromMinutes(minutes).Ticks, ++seq, Movement: ParkingMovement.Entry));

        Assert.Equal(ParkingLive.NoCountYetMethodName, live.View().ForecastMethod);
        Occupancy(-10, 40);   // 07:50: slot 08:00, the first count
        Occupancy(5, 60);     // 08:05: still slot 08:00, not a count
        Occupancy(14, 70);    // 08:14: still slot 08:00
        Entry(15);            // 08:15: slot 08:30: a count of 71
        Entry(20);            // 08:20: slot 08:30, not a count
        Occupancy(46, 10);    // 08:46: slot 09:00: a count of 10
        Assert.Equal(3, live.Model!.Applied);
        var profile = live.Model.Export();
        Assert.Equal(0.40, profile.Sum[16], 12); // Monday 08:00 (cell 0 x 48 + 16)
        Assert.Equal(0.71, profile.Sum[17], 12);
        Assert.Equal(0.10, profile.Sum[18], 12);
        Assert.Equal([1.0, 1.0, 1.0], profile.Weight.Skip(16).Take(3));
        Assert.Equal(new DateTime(2024, 1, 8, 8, 46, 0).Ticks, live.Model.LastTicks);

        // A facility the model file does not list: the pooled parameters, its own profile learnt from its counts.
        Assert.EndsWith("the pooled parameters (not in the model file); one count per 30-min slot", live.View().ForecastMethod, StringComparison.Ordinal);
        // 09:16 and later have no count yet at that time of day: the mean of the three counts (no carry-over, no interval width in this model).
        Assert.All(live.View().Forecast, f =>
        {
            Assert.Equal("mean", f.Basis);
            Assert.Equal((40 + 71 + 10) / 3.0, f.Occupied, 9);
            Assert.Equal(f.Occupied, f.Lower!.Value, 9);
            Assert.Equal(f.Occupied, f.Upper!.Value, 9);
        });

        // Without a model the facility keeps the trend (the sample city's behaviour).
        var plain = new ParkingLive(Facility("P", 100), LiveOptions.Default);
        plain.Apply(new SensorReading(SensorEventType.ParkingOccupancy, "P", t0, 1, Occupied: 40));
        Assert.Null(plain.Model);
        Assert.Equal(ParkingLive.ForecastMethodName, plain.View().ForecastMethod);
        Assert.Equal(ParkingLive.ForecastHorizonsMin, plain.View().Forecast.Select(f => f.HorizonMin));
        Assert.All(plain.View().Forecast, f => Assert.Equal(("trend", (double?)null), (f.Basis, f.Lower)));
    }

    [Fact]
    public void Slots_are_the_citys_local_time_across_both_clock_changes_of_Europe_London()
    {
        var model = Constant(recency: 1);
        var live = new ParkingLive(Facility("P", 100), LiveOptions.Default, null, model, London);
        var seq = 0;
        void At(DateTime utc, int occupied) => live.Apply(new SensorReading(SensorEventType.ParkingOccupancy, "P", utc.Ticks, ++seq, Occupied: occupied));

        // Monday 20 March 2017 (GMT = UTC): 08:00 UTC is 08:00 local, 09:00 UTC is 09:00 local.
        At(new DateTime(2017, 3, 20, 8, 0, 0), 10);
        At(new DateTime(2017, 3, 20, 9, 0, 0), 50);

        // Sunday 26 March 2017, clocks go forward at 01:00 UTC: every 30 minutes of the UTC day is a count (46 local slots, none at 01:xx).
        var sunday = new DateTime(2017, 3, 26);
        for (var m = 0; m < 24 * 60; m += 30)
        {
            At(sunday.AddMinutes(m), 20);
        }

        Assert.Equal(2 + 48, live.Model!.Applied);
        var sundayCells = live.Model.Export().Weight.Skip(6 * 48).Take(48).ToArray();
        Assert.Equal(0, sundayCells[2] + sundayCells[3]); // 01:00 and 01:30 local do not exist that day
        Assert.Equal(46, sundayCells.Count(w => w > 0));
        Assert.Equal([1.0, 1.0, 0.0, 0.0, 1.0], sundayCells.Take(5)); // 00:00 and 00:30 GMT, then 02:00 BST (01:00 UTC)
        Assert.Equal([1.0, 1.0], live.Model.Export().Weight.Take(2)); // 23:00 and 23:30 UTC are Monday 00:00 and 00:30 BST

        // Monday 27 March (BST = UTC+1): the forecast for 08:00 UTC is the profile at 09:00 local (50), not 08:00 (10).
        var now = new DateTime(2017, 3, 27, 7, 0, 0).Ticks;
        At(new DateTime(now), 20);
        var at8 = live.Model.Profile(new DateTime(2017, 3, 27, 8, 0, 0).Ticks);
        Assert.Equal((0.5, ForecastBasis.Profile), (at8.Value, at8.Basis));
        var point = live.View().Forecast.Single(f => f.HorizonMin == 60);
        Assert.Equal(new DateTime(2017, 3, 27, 8, 0, 0).Ticks, point.AtTicks);
        Assert.Equal(50, point.Occupied, 9); // no carry-over in this model

        // Sunday 29 October 2017, clocks go back at 01:00 UTC: 01:00-01:59 local comes twice; counts keep UTC order.
        var october = new DateTime(2017, 10, 29);
        for (var m = 0; m < 25 * 60; m += 30)
        {
            At(october.AddMinutes(m - 60), 30); // 23:00 UTC Saturday (00:00 BST Sunday) to 23:30 UTC Sunday (23:30 GMT): 50 counts
        }

        Assert.Equal(2 + 48 + 1 + 50, live.Model.Applied);
        var after = live.Model.Export().Weight.Skip(6 * 48).Take(48).ToArray();
        Assert.Equal([1.0, 1.0, 2.0, 2.0, 1.0], after.Zip(sundayCells, (a, b) => a - b).Take(5)); // 01:00 and 01:30 local twice (BST, then GMT)
        Assert.All(after.Zip(sundayCells, (a, b) => a - b).Skip(4), d => Assert.Equal(1.0, d));
    }

    [Fact]
    public void A_fitted_model_file_round_trips()
    {
        var (_, kept) = Counts();
        var model = FittedParkingModel.Fit(OccupancyHistory.Build(kept), HeldOutFrom);
        var path = Path.Combine(_dir, "parking-model.json");
        ParkingModelFile.Write(path, model, "birmingham-10-carparks.csv");
        var back = ParkingModelFile.Read(path);
        Assert.Equal(model.Forecaster.TrainUntil, back.Forecaster.TrainUntil);
        Assert.Equal(model.Forecaster.Options.Coverage, back.Forecaster.Options.Coverage);
        Assert.Equal(model.Forecaster.Facilities.Keys.Order(StringComparer.Ordinal), back.Forecaster.Facilities.Keys.Order(StringComparer.Ordinal));
        foreach (var m in model.Forecaster.Facilities.Values.Append(model.Forecaster.Pool))
        {
            var b = m.Pooled && m.Facility == "(pool)" ? back.Forecaster.Pool : back.Forecaster.Facilities[m.Facility];
            Assert.Equal((m.Recency, m.Pooled, m.Scored, m.TrainingCounts, m.Method), (b.Recency, b.Pooled, b.Scored, b.TrainingCounts, b.Method));
            Assert.Equal(m.Carry, b.Carry);
            Assert.Equal(m.LowerError, b.LowerError);
            Assert.Equal(m.UpperError, b.UpperError);
        }

        Assert.Equal(model.Profiles.Keys.Order(StringComparer.Ordinal), back.Profiles.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, p) in model.Profiles)
        {
            var q = back.Profiles[id];
            Assert.Equal(p.Sum, q.Sum);
            Assert.Equal(p.Weight, q.Weight);
            Assert.Equal(p.TimeOfDaySum, q.TimeOfDaySum);
            Assert.Equal((p.AllSum, p.AllCount, p.Applied, p.LastTicks, p.LastRatio, p.LastCapacity, p.LastDeviation), (q.AllSum, q.AllCount, q.Applied, q.LastTicks, q.LastRatio, q.LastCapacity, q.LastDeviation));
        }

        // Written again, the same bytes.
        var again = Path.Combine(_dir, "again.json");
        ParkingModelFile.Write(again, back, "birmingham-10-carparks.csv");
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
        Assert.Contains(model.Forecaster.Facilities.Values, m => m.Pooled);
        Assert.Contains(model.Forecaster.Facilities.Values, m => !m.Pooled);
    }

    [Fact]
    public void A_bad_model_file_is_an_error_naming_the_file_and_the_field()
    {
        var (_, kept) = Counts();
        var model = FittedParkingModel.Fit(OccupancyHistory.Build(kept), HeldOutFrom);
        using var stream = new MemoryStream();
        ParkingModelFile.Write(stream, model, "test");
        var good = Encoding.UTF8.GetString(stream.ToArray());

        string Error(string text) => Assert.Single(Assert.Throws<CityValidationException>(() => ParkingModelFile.Read(Encoding.UTF8.GetBytes(text), "parking-model.json")).Errors).ToString();

        Assert.Equal("parking-model.json: field 'version': 2: this CityTwin reads version 1", Error(good.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal)));
        Assert.Equal("parking-model.json: field 'pool.recency': 1.5 is outside 0..1", Error(ReplaceFirst(good, "\"recency\": ", "\"recency\": 1.5, \"x\": ")));
        Assert.Equal("parking-model.json: field 'facilities[0].carry[0]': must be a number in 0..1", Error(ReplaceNth(good, "\"carry\": [", "\"carry\": [\"a\", ", 2)));
        Assert.Equal("parking-model.json: field 'facilities[0].profile.sum': has 337 items; 336 expected", Error(ReplaceFirst(good, "\"sum\": [", "\"sum\": [0, ")));
        Assert.Equal("parking-model.json: field 'format': 'other': expected 'citytwin-parking-model'", Error(good.Replace("citytwin-parking-model", "other", StringComparison.Ordinal)));
        Assert.StartsWith("parking-model.json: line 1: invalid JSON", Error("{ not json"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_city_reads_its_time_zone_and_parking_model_and_names_bad_ones()
    {
        foreach (var file in Directory.GetFiles(Riverton))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }

        var riverton = CityReader.ReadFolder(Riverton);
        Assert.Same(TimeZoneInfo.Utc, riverton.TimeZone);
        Assert.Null(riverton.ParkingModel);

        var manifest = File.ReadAllText(Path.Combine(Riverton, "city.json"));
        void Manifest(string fields) => File.WriteAllText(Path.Combine(_dir, "city.json"), manifest.Replace("\"cellSizeM\": 250,", "\"cellSizeM\": 250, " + fields, StringComparison.Ordinal));
        var (_, kept) = Counts();
        ParkingModelFile.Write(Path.Combine(_dir, "parking-model.json"), FittedParkingModel.Fit(OccupancyHistory.Build(kept), HeldOutFrom), "test");

        Manifest("\"timeZone\": \"Europe/London\", \"parkingModel\": \"parking-model.json\",");
        var city = CityReader.ReadFolder(_dir);
        Assert.Equal("Europe/London", city.TimeZone.Id);
        Assert.Equal(8, city.ParkingModel!.Forecaster.Facilities.Count(m => !m.Value.Pooled));

        Manifest("\"timeZone\": \"UTC\",");
        Assert.Equal(TimeSpan.Zero, CityReader.ReadFolder(_dir).TimeZone.BaseUtcOffset);
        Manifest("\"timeZone\": \"America/New_York\",");
        Assert.Equal(TimeSpan.FromHours(-5), CityReader.ReadFolder(_dir).TimeZone.BaseUtcOffset);

        Manifest("\"timeZone\": \"UTC\",");
        Assert.Equal(TimeSpan.Zero, CityReader.ReadFolder(_dir).TimeZone.BaseUtcOffset);
        Manifest("\"timeZone\": \"America/New_York\",");
        Assert.Equal(TimeSpan.FromHours(-5), CityReader.ReadFolder(_dir).TimeZone.BaseUtcOffset);

        Manifest("\"timeZone\": \"Europe/Lodnon\",");
        Assert.Equal("city.json: field 'timeZone': 'Europe/Lodnon' is not an IANA time zone id known here (e.g. Europe/London, America/New_York, UTC)",
            Assert.Single(Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(_dir)).Errors).ToString());

        Manifest("\"parkingModel\": \"missing.json\",");
        Assert.Contains("field 'parkingModel': 'missing.json' does not exist", Assert.Single(Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(_dir)).Errors).ToString(), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_dir, "parking-model.json"), File.ReadAllText(Path.Combine(_dir, "parking-model.json")).Replace("\"slotMinutes\": 30", "\"slotMinutes\": 7", StringComparison.Ordinal));
        Manifest("\"parkingModel\": \"parking-model.json\",");
        Assert.Equal("parking-model.json: field 'slotMinutes': slot 7 min: must divide a day",
            Assert.Single(Assert.Throws<CityValidationException>(() => CityReader.ReadFolder(_dir)).Errors).ToString());
    }

    [Fact]
    public void A_snapshot_stored_before_the_profile_was_kept_still_loads_and_starts_from_the_model_file()
    {
        var (_, kept) = Counts();
        var model = FittedParkingModel.Fit(OccupancyHistory.Build(kept), HeldOutFrom);
        var facility = Facility("BHMBCCMKT01", 577);
        var old = new ParkingLive(facility, LiveOptions.Default);
        old.Apply(new SensorReading(SensorEventType.ParkingOccupancy, facility.Id, Utc(HeldOutFrom.AddHours(8)), 1, Occupied: 100));

        // The JSON the old code stored (the engine's snapshots go to storage through the JSON codec): no Profile field.
        var json = JsonSerializer.Serialize(old.Snapshot());
        var oldJson = json.Replace(",\"Profile\":null", "", StringComparison.Ordinal);
        Assert.DoesNotContain("Profile", oldJson, StringComparison.Ordinal);
        var snapshot = JsonSerializer.Deserialize<ParkingSnapshot>(oldJson)!;
        Assert.Null(snapshot.Profile);

        var live = new ParkingLive(facility, LiveOptions.Default, snapshot, model, London);
        Assert.Equal(100, live.Occupied);
        Assert.Equal(model.Profiles[facility.Id].Applied, live.Model!.Applied);
        live.Apply(new SensorReading(SensorEventType.ParkingOccupancy, facility.Id, Utc(HeldOutFrom.AddHours(9)), 2, Occupied: 150));
        Assert.Equal(model.Profiles[facility.Id].Applied + 1, live.Model.Applied);
        var view = live.View();
        Assert.Equal(4, view.Forecast.Count);
        Assert.All(view.Forecast, f => Assert.NotNull(f.Lower));

        // And the new snapshot keeps the profile.
        var again = new ParkingLive(facility, LiveOptions.Default, JsonRoundTrip(live.Snapshot()), model, London);
        Assert.Equal(live.Model.Export().Sum, again.Model!.Export().Sum);
        Assert.Equal(view.Forecast, again.View().Forecast);
    }

    /// <summary>A model whose forecast is the profile alone (no carry-over, no interval width).</summary>
    private static FittedParkingModel Constant(double recency)
    {
        var options = new ForecastOptions();
        var carry = new double[(7 * 48) + 1];
        var errors = new double[49];
        var pool = new FacilityForecastModel("(pool)", recency, carry, errors, errors, 0, 0, 0, true, "test");
        return new FittedParkingModel(OccupancyForecaster.FromParameters(options, new DateTime(2024, 1, 1), [], pool), new Dictionary<string, FacilityProfileData>());
    }

    private static string ReplaceFirst(string text, string what, string with)
    {
        var i = text.IndexOf(what, StringComparison.Ordinal);
        return text[..i] + with + text[(i + what.Length)..];
    }

    private static string ReplaceNth(string text, string what, string with, int n)
    {
        var i = -1;
        for (var k = 0; k < n; k++)
        {
            i = text.IndexOf(what, i + 1, StringComparison.Ordinal);
        }

        return text[..i] + with + text[(i + what.Length)..];
    }
}
