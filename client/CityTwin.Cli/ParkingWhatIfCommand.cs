using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CityTwin.Engine.City;
using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Engine.Traffic;
using CityTwin.Formats.ParkingWhatIf;
using NetTopologySuite.Geometries;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin parking whatif [CITY]</c>: a pricing or capacity what-if against today's flat prices, run on paired
/// seeds, with KPIs, 95% intervals and a decision; <c>citytwin parking fit-demand CSV</c>: fits the parking demand
/// model file from occupancy counts (docs/parking-whatif.md).
/// </summary>
internal static class ParkingWhatIfCommand
{
    /// <summary>The default name of the demand model file in a city folder.</summary>
    public const string ModelFileName = "parking-demand.json";

    public static Command CreateWhatIf()
    {
        var city = new Argument<string?>("CITY") { Description = "City folder (city.json + GeoJSON); default: the bundled sample city", Arity = ArgumentArity.ZeroOrOne };
        var demand = new Option<string[]>("--demand") { Description = "Demand CSV file(s) (trips or an origin-destination table); default: the city's own", AllowMultipleArgumentsPerToken = true };
        var model = new Option<string?>("--demand-model") { Description = $"Parking demand model file; default: CITY/{ModelFileName}" };
        var policy = new Option<string>("--policy") { Description = "Pricing of the alternative: flat (today's prices) or performance (prices follow occupancy)", DefaultValueFactory = _ => "performance" };
        var scope = new Option<string?>("--scope") { Description = "Facilities the performance policy prices: facility or district ids, comma-separated (default: all)" };
        var weeks = new Option<int>("--weeks") { Description = "Weeks simulated and measured", DefaultValueFactory = _ => 4 };
        var replications = new Option<int>("--replications") { Description = "Paired replications (seeds) of each scenario, at least 2", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };
        var capacity = new Option<string[]>("--capacity") { Description = "Spaces in the alternative: ID=+N (add), ID=-N (remove) or ID=N (set); repeatable", AllowMultipleArgumentsPerToken = true };
        var prices = new Option<string[]>("--price") { Description = "A new hourly price in the alternative, all day: ID=X (performance pricing starts from it); repeatable", AllowMultipleArgumentsPerToken = true };
        var events = new Option<string[]>("--event") { Description = "A special event in both scenarios: at=ID|lon=X,lat=Y,day=D,start=HH:MM,minutes=M,vehicles=V[,dwell=H][,walk=M][,name=N] (day 1 = first Monday); repeatable" };
        var elasticity = new Option<double?>("--elasticity") { Description = "Elasticity of arrivals to the cost of a stay (default: the model file's, SFpark's -0.4)" };
        var share = new Option<double?>("--parking-share") { Description = "Share of trips within walking distance of a facility that park in one (default: calibrated to the model's target peak occupancy)" };
        var bandLow = new Option<double>("--target-low") { Description = "Lower end of the target occupancy band", DefaultValueFactory = _ => LiteratureFigures.SfparkLowerTarget };
        var bandHigh = new Option<double>("--target-high") { Description = "Upper end of the target occupancy band", DefaultValueFactory = _ => LiteratureFigures.SfparkUpperTarget };
        var step = new Option<double>("--step") { Description = "Price step per adjustment (per hour)", DefaultValueFactory = _ => LiteratureFigures.SfparkStep };
        var minPrice = new Option<double>("--min-price") { Description = "Lowest price per hour the policy may set", DefaultValueFactory = _ => 0.5 };
        var maxPrice = new Option<double>("--max-price") { Description = "Highest price per hour the policy may set", DefaultValueFactory = _ => 6.0 };
        var every = new Option<int>("--adjust-weeks") { Description = "Weeks between price adjustments", DefaultValueFactory = _ => 1 };
        var bands = new Option<string>("--bands") { Description = "Priced time-of-day bands, whole hours: HH-HH,HH-HH,...", DefaultValueFactory = _ => "07-12,12-15,15-19" };
        var tries = new Option<int>("--max-tries") { Description = "Facilities a driver tries (first choice included) before giving up", DefaultValueFactory = _ => 3 };
        var unguided = new Option<bool>("--no-guidance") { Description = "Drivers do not know where space is: they try the nearest facility they have not tried" };
        var tolerance = new Option<double>("--revenue-tolerance") { Description = "Revenue loss (share of today's) the decision accepts", DefaultValueFactory = _ => 0.05 };
        var warmUp = new Option<int>("--warm-up-days") { Description = "Days simulated before the first Monday and not measured", DefaultValueFactory = _ => 1 };
        var parallel = new Option<int>("--parallel") { Description = "Runs at once (default: the processor count)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default: ./parking-whatif-out)" };

        var command = new Command("whatif", "Pricing and capacity what-if against today's flat prices, on paired seeds, with a decision")
        {
            city, demand, model, policy, scope, weeks, replications, seed, capacity, prices, events, elasticity, share, bandLow, bandHigh, step,
            minPrice, maxPrice, every, bands, tries, unguided, tolerance, warmUp, parallel, outDir,
        };
        command.SetAction((parse, _) => Run.GuardedAsync(() =>
        {
            var wall = Stopwatch.StartNew();
            var kind = parse.GetValue(policy) switch
            {
                "flat" => PricingKind.Flat,
                "performance" => PricingKind.Performance,
                var other => throw new CliInputException($"--policy '{other}': expected flat or performance"),
            };
            Positive(parse.GetValue(weeks), "--weeks", 1);
            Positive(parse.GetValue(replications), "--replications", 2);
            Positive(parse.GetValue(parallel), "--parallel", 1);

            var (folder, cityModel, files, set) = CityInput.Load(parse.GetValue(city), parse.GetValue(demand));
            var modelPath = parse.GetValue(model) ?? Path.Combine(folder, ModelFileName);
            ParkingDemandAssumptions assumptions;
            try
            {
                assumptions = ParkingDemandFile.Read(modelPath);
            }
            catch (ParkingDemandFormatException e)
            {
                throw new CliInputException(e.Message);
            }

            if (parse.GetValue(elasticity) is { } el)
            {
                assumptions = assumptions with { Elasticity = el };
            }

            if (parse.GetValue(share) is { } sh)
            {
                assumptions = assumptions with { ParkingShare = sh };
            }

            var search = new SearchAssumptions { Guided = !parse.GetValue(unguided), MaxTries = parse.GetValue(tries) };
            var network = cityModel.Links.Count > 0 ? CityNetwork.Build(cityModel) : null;
            var area = ParkingArea.FromCity(cityModel, network, search.Circuity);

            var pricing = new PricingPolicy
            {
                Kind = kind,
                Bands = Bands(parse.GetValue(bands)!),
                LowerTarget = parse.GetValue(bandLow),
                UpperTarget = parse.GetValue(bandHigh),
                Step = parse.GetValue(step),
                MinPrice = parse.GetValue(minPrice),
                MaxPrice = parse.GetValue(maxPrice),
                EveryWeeks = parse.GetValue(every),
                Scope = Scope(parse.GetValue(scope), cityModel),
            };
            var changes = Capacities(parse.GetValue(capacity) ?? [], cityModel);
            var newPrices = Prices(parse.GetValue(prices) ?? [], cityModel);
            var baseline = new ParkingScenario("today's flat prices");
            var alternative = new ParkingScenario(AlternativeName(pricing, changes, newPrices, parse.GetValue(scope)))
            {
                Pricing = pricing,
                CapacityChanges = changes,
                PriceChanges = newPrices,
            };
            var options = new ParkingRunOptions
            {
                Weeks = parse.GetValue(weeks),
                Seed = parse.GetValue(seed),
                WarmUpDays = parse.GetValue(warmUp),
                Search = search,
                Events = Events(parse.GetValue(events) ?? [], cityModel),
            };

            ParkingDemand parkingDemand;
            WhatIfComparison comparison;
            var simulate = new Stopwatch();
            try
            {
                parkingDemand = ParkingDemand.Build(area, set.OdRows, set.Trips, assumptions);
                simulate.Start();
                comparison = ParkingWhatIf.Compare(parkingDemand, baseline, alternative, options, parse.GetValue(replications), parse.GetValue(tolerance), parse.GetValue(parallel));
            }
            catch (ArgumentException e)
            {
                throw new CliInputException(e.Message);
            }

            simulate.Stop();
            var output = parse.GetValue(outDir) ?? "parking-whatif-out";
            var inputs = new JsonObject
            {
                ["city"] = cityModel.Name,
                ["cityFolder"] = Path.GetFullPath(folder),
                ["demand"] = new JsonArray(files.Select(f => (JsonNode)Path.GetFullPath(f)).ToArray()),
                ["demandModel"] = Path.GetFullPath(modelPath),
                ["facilities"] = area.Sites.Count,
                ["roadNetwork"] = network is not null,
                ["guided"] = search.Guided,
                ["maxTries"] = search.MaxTries,
                ["searchSpeedKmh"] = search.SearchSpeedKmh,
                ["onStreetCirclingM"] = search.OnStreetCirclingM,
                ["offStreetCirclingM"] = search.OffStreetCirclingM,
                ["warmUpDays"] = options.WarmUpDays,
                ["seed"] = options.Seed,
                ["events"] = new JsonArray(options.Events.Select(e => (JsonNode)new JsonObject
                {
                    ["name"] = e.Name,
                    ["day"] = e.Day + 1,
                    ["startS"] = e.StartS,
                    ["durationS"] = e.DurationS,
                    ["vehicles"] = e.Vehicles,
                    ["dwellMedianH"] = e.DwellMedianH,
                    ["walkM"] = e.WalkM,
                }).ToArray()),
            };
            WhatIfWriter.Write(output, comparison, parkingDemand, inputs, wall.Elapsed.TotalSeconds, simulate.Elapsed.TotalSeconds);

            Console.WriteLine(FormattableString.Invariant(
                $"{cityModel.Name}: {area.Sites.Count} facilities, {area.Sites.Sum(s => s.Capacity)} spaces; {parkingDemand.HourlyArrivals.Sum():F0} drivers look for parking on a weekday at today's prices, of the {parkingDemand.TripsInReach:F0} trips ending within {assumptions.MaxWalkM:F0} m of a facility"));
            Console.WriteLine(FormattableString.Invariant(
                $"parking share by district{(parkingDemand.Calibrated ? FormattableString.Invariant($" (calibrated to a {assumptions.TargetPeakOccupancy:P0} expected weekday peak)") : string.Empty)}: {string.Join(", ", parkingDemand.Shares.Select(kv => FormattableString.Invariant($"{kv.Key} {kv.Value:F3}")))}"));
            Console.WriteLine($"{comparison.Alternative.Name} vs {comparison.Baseline.Name}: {comparison.Weeks} weeks x {comparison.Replications} paired replications");
            Console.WriteLine("per week                         baseline    alternative     difference (95% CI)");
            foreach (var d in comparison.Differences)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {d.Kpi,-28} {d.BaselineMean,12:F1} {d.AlternativeMean,12:F1}   {d.MeanDifference,+10:F1} ({d.Lower:F1} to {d.Upper:F1})"));
            }

            Console.WriteLine(comparison.Decision.Sentence);
            Console.WriteLine(FormattableString.Invariant(
                $"simulated {2 * comparison.Replications * comparison.Weeks} scenario-weeks in {simulate.Elapsed.TotalSeconds:F1} s; wrote {Path.GetFullPath(output)} in {wall.Elapsed.TotalSeconds:F1} s"));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    public static Command CreateFitDemand()
    {
        var csv = new Argument<string>("OCCUPANCY") { Description = "Occupancy counts: CSV SystemCodeNumber,Capacity,Occupancy,LastUpdated (the Birmingham layout)" };
        var histogram = new Option<string?>("--dwell-histogram") { Description = "Length-of-stay histogram CSV lowerH,upperH,count to fit the stay to (default: the Charlottesville 2008 on-street survey)" };
        var offHistogram = new Option<string?>("--offstreet-dwell-histogram") { Description = "A separate length-of-stay histogram for off-street facilities" };
        var source = new Option<string?>("--source") { Description = "Where the occupancy counts come from (a citation), kept in the model file" };
        var target = new Option<double?>("--target-peak") { Description = "Target weekday peak occupancy (default: the Monday-Friday peak of the counts)" };
        var outFile = new Option<string>("--out") { Description = "Model file to write", Required = true };
        var command = new Command("fit-demand", "Fit the parking demand model (stay, day-of-week factors, peak occupancy) from occupancy counts and a length-of-stay histogram")
        {
            csv, histogram, offHistogram, source, target, outFile,
        };
        command.SetAction((parse, _) => Run.GuardedAsync(() =>
        {
            var path = parse.GetValue(csv)!;
            IReadOnlyList<OccupancySample> samples;
            IReadOnlyList<DurationBin> bins;
            IReadOnlyList<DurationBin>? offBins = null;
            try
            {
                samples = OccupancyCountsReader.ReadFile(path);
                bins = parse.GetValue(histogram) is { } h ? OccupancyCountsReader.ReadHistogram(h) : LiteratureFigures.CharlottesvilleOnStreetStays;
                if (parse.GetValue(offHistogram) is { } oh)
                {
                    offBins = OccupancyCountsReader.ReadHistogram(oh);
                }
            }
            catch (ParkingDemandFormatException e)
            {
                throw new CliInputException(e.Message);
            }

            OccupancyProfileFit profile;
            DwellFit dwell;
            DwellFit? offDwell;
            try
            {
                profile = OccupancyProfileFit.Fit(samples);
                dwell = DwellDistribution.Fit(bins);
                offDwell = offBins is null ? null : DwellDistribution.Fit(offBins);
            }
            catch (ArgumentException e)
            {
                throw new CliInputException(e.Message);
            }

            var targetPeak = parse.GetValue(target) ?? profile.WeekdayPeakOccupancy;
            if (!(targetPeak > 0 && targetPeak <= 1.5))
            {
                throw new CliInputException($"--target-peak {targetPeak}: must be in (0, 1.5]");
            }

            var assumptions = new ParkingDemandAssumptions
            {
                Dwell = dwell.Distribution,
                DwellOffStreet = offDwell?.Distribution,
                DayFactors = profile.DayFactors,
                TargetPeakOccupancy = targetPeak,
            };
            var dwellSource = parse.GetValue(histogram) is { } hist ? Path.GetFileName(hist) : LiteratureFigures.CharlottesvilleSource;
            var slots = profile.Profile[0].Count;
            var weekdayCurve = new JsonObject();
            for (var k = 0; k < slots; k++)
            {
                if (Enumerable.Range(0, 5).All(d => !double.IsNaN(profile.Profile[d][k])))
                {
                    weekdayCurve[$"{k * profile.SlotMinutes / 60:00}:{k * profile.SlotMinutes % 60:00}"] = Math.Round(Enumerable.Range(0, 5).Average(d => profile.Profile[d][k]), 4);
                }
            }

            var provenance = new JsonObject
            {
                ["occupancyCounts"] = new JsonObject
                {
                    ["file"] = Path.GetFileName(path),
                    ["source"] = parse.GetValue(source),
                    ["used"] = profile.Used,
                    ["droppedCapacityOrOccupancyBelowZero"] = profile.DroppedBad,
                    ["clippedAboveCapacity"] = profile.Clipped,
                    ["droppedRepeatedFacilityTime"] = profile.Duplicates,
                    ["facilities"] = profile.Facilities,
                    ["first"] = profile.First.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    ["last"] = profile.Last.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    ["slotMinutes"] = profile.SlotMinutes,
                    ["weekdayPeakOccupancy"] = Math.Round(profile.WeekdayPeakOccupancy, 4),
                    ["weekdayPeakTime"] = $"{profile.WeekdayPeakSlot / 60:00}:{profile.WeekdayPeakSlot % 60:00}",
                    ["weekdayOccupancyBySlot"] = weekdayCurve,
                    ["method"] = "occupancy = sum occupied / sum capacity of the counts in each weekday and time slot (nearest 30 min); occupied above capacity taken as full; day factor = the day's mean over the slots every day has / the Monday-Friday mean",
                },
                ["dwell"] = new JsonObject
                {
                    ["source"] = dwellSource,
                    ["stays"] = dwell.Stays,
                    ["logLikelihood"] = Math.Round(dwell.LogLikelihood, 3),
                    ["method"] = "log-normal, maximum likelihood over the histogram classes as intervals (MathNet.Numerics Nelder-Mead)",
                },
                ["elasticity"] = "Pierce and Shoup (2013), Getting the Prices Right, JAPA 79(1) 67-81: average -0.4 over SFpark's first year",
                ["walkAndValueOfTime"] = "stated assumptions, not fitted (docs/parking-whatif.md)",
            };
            if (offDwell is not null)
            {
                provenance["dwellOffStreet"] = new JsonObject
                {
                    ["source"] = Path.GetFileName(parse.GetValue(offHistogram)!),
                    ["stays"] = offDwell.Stays,
                    ["logLikelihood"] = Math.Round(offDwell.LogLikelihood, 3),
                };
            }

            var outPath = parse.GetValue(outFile)!;
            ParkingDemandFile.Write(outPath, assumptions, $"Parking demand model fitted by citytwin parking fit-demand from {Path.GetFileName(path)} and {dwellSource}.", provenance);
            Console.WriteLine(FormattableString.Invariant(
                $"occupancy counts: {profile.Used} used from {profile.Facilities} car parks ({profile.DroppedBad} dropped: capacity or occupancy below 0; {profile.Clipped} above capacity taken as full; {profile.Duplicates} repeated dropped)"));
            Console.WriteLine(FormattableString.Invariant(
                $"weekday peak occupancy {profile.WeekdayPeakOccupancy:P1} at {profile.WeekdayPeakSlot / 60:00}:{profile.WeekdayPeakSlot % 60:00}; day factors Mon..Sun {string.Join(' ', profile.DayFactors.Select(f => f.ToString("F3", CultureInfo.InvariantCulture)))}"));
            Console.WriteLine(FormattableString.Invariant(
                $"stay: log-normal mu {dwell.Distribution.Mu:F4}, sigma {dwell.Distribution.Sigma:F4} (median {dwell.Distribution.MedianH:F2} h, mean {dwell.Distribution.MeanH:F2} h) from {dwell.Stays:F0} stays"));
            Console.WriteLine($"wrote {Path.GetFullPath(outPath)}");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    private static void Positive(int value, string option, int min)
    {
        if (value < min)
        {
            throw new CliInputException($"{option} {value}: must be at least {min}");
        }
    }

    internal static IReadOnlyList<PriceBand> Bands(string text)
    {
        var list = new List<PriceBand>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length != 2 || !int.TryParse(ends[0].Replace(":00", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var a)
                || !int.TryParse(ends[1].Replace(":00", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var b) || a >= b || b > 24)
            {
                throw new CliInputException($"--bands '{part}': expected whole hours HH-HH with start < end <= 24 (e.g. 07-12)");
            }

            list.Add(new PriceBand(a, b));
        }

        if (list.Count == 0)
        {
            throw new CliInputException("--bands: give at least one band (e.g. 07-12,12-15,15-19)");
        }

        return list;
    }

    internal static IReadOnlyList<string>? Scope(string? text, CityModel city)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var ids = new List<string>();
        foreach (var id in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (city.ParkingById.ContainsKey(id))
            {
                ids.Add(id);
            }
            else if (city.DistrictsById.ContainsKey(id))
            {
                ids.AddRange(city.Parking.Where(p => p.Placement.DistrictId == id).Select(p => p.Id));
            }
            else
            {
                throw new CliInputException($"--scope '{id}': not a facility or district id of {city.Name} (facilities: {string.Join(", ", city.Parking.Select(p => p.Id))}; districts: {string.Join(", ", city.Districts.Select(d => d.Id))})");
            }
        }

        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            throw new CliInputException($"--scope '{text}': names no facility");
        }

        return distinct;
    }

    internal static IReadOnlyDictionary<string, int> Capacities(string[] specs, CityModel city)
    {
        var changes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            var id = eq > 0 ? spec[..eq].Trim() : string.Empty;
            var value = eq > 0 ? spec[(eq + 1)..].Trim() : string.Empty;
            if (id.Length == 0 || !city.ParkingById.TryGetValue(id, out var facility))
            {
                throw new CliInputException($"--capacity '{spec}': expected ID=+N, ID=-N or ID=N with ID a facility of {city.Name} ({string.Join(", ", city.Parking.Select(p => p.Id))})");
            }

            if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                throw new CliInputException($"--capacity '{spec}': '{value}' is not a whole number of spaces");
            }

            var delta = value.StartsWith('+') || value.StartsWith('-') ? n : n - facility.Capacity;
            if (facility.Capacity + changes.GetValueOrDefault(id) + delta < 0)
            {
                throw new CliInputException($"--capacity '{spec}': {id} has {facility.Capacity} spaces; the change would leave fewer than 0");
            }

            changes[id] = changes.GetValueOrDefault(id) + delta;
        }

        return changes;
    }

    internal static IReadOnlyDictionary<string, double> Prices(string[] specs, CityModel city)
    {
        var prices = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            var id = eq > 0 ? spec[..eq].Trim() : string.Empty;
            var value = eq > 0 ? spec[(eq + 1)..].Trim() : string.Empty;
            if (id.Length == 0 || !city.ParkingById.ContainsKey(id))
            {
                throw new CliInputException($"--price '{spec}': expected ID=X with ID a facility of {city.Name} ({string.Join(", ", city.Parking.Select(p => p.Id))})");
            }

            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || !(price > 0) || !double.IsFinite(price))
            {
                throw new CliInputException($"--price '{spec}': '{value}' is not a price > 0");
            }

            prices[id] = price;
        }

        return prices;
    }

    internal static IReadOnlyList<SpecialEvent> Events(string[] specs, CityModel city)
    {
        var list = new List<SpecialEvent>();
        foreach (var spec in specs)
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new CliInputException($"--event '{spec}': '{part}' is not key=value");
                }

                fields[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }

            var unknown = fields.Keys.Except(["at", "lon", "lat", "day", "start", "minutes", "vehicles", "dwell", "walk", "name"], StringComparer.OrdinalIgnoreCase).ToList();
            if (unknown.Count > 0)
            {
                throw new CliInputException($"--event '{spec}': unknown key(s) {string.Join(", ", unknown)} (keys: at or lon+lat, day, start, minutes, vehicles, dwell, walk, name)");
            }

            string Need(string key) => fields.TryGetValue(key, out var v) ? v : throw new CliInputException($"--event '{spec}': missing {key}=");
            double Number(string key, double? fallback = null)
            {
                if (!fields.TryGetValue(key, out var v))
                {
                    return fallback ?? throw new CliInputException($"--event '{spec}': missing {key}=");
                }

                return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? d
                    : throw new CliInputException($"--event '{spec}': {key}='{v}' is not a number");
            }

            Coordinate xy;
            if (fields.TryGetValue("at", out var at))
            {
                if (city.ParkingById.TryGetValue(at, out var p))
                {
                    xy = new Coordinate(p.Placement.X, p.Placement.Y);
                }
                else if (city.LinksById.TryGetValue(at, out var l))
                {
                    xy = new Coordinate(l.Placement.X, l.Placement.Y);
                }
                else if (city.DistrictsById.TryGetValue(at, out var d))
                {
                    xy = d.ProjectedBoundary.Centroid.Coordinate;
                }
                else
                {
                    throw new CliInputException($"--event '{spec}': at='{at}' is not a facility, link or district id of {city.Name}");
                }
            }
            else
            {
                xy = city.Projection.Project(new Coordinate(Number("lon"), Number("lat")));
            }

            var dayText = Need("day");
            if (!int.TryParse(dayText, NumberStyles.None, CultureInfo.InvariantCulture, out var day) || day < 1)
            {
                throw new CliInputException($"--event '{spec}': day='{dayText}' is not a day number >= 1 (1 = the first Monday)");
            }

            var startText = Need("start");
            if (!Formats.Demand.DemandReader.TryParseTime(startText, out var start))
            {
                throw new CliInputException($"--event '{spec}': start='{startText}' is not a time (HH:MM)");
            }

            var ev = new SpecialEvent(
                fields.TryGetValue("name", out var name) ? name : $"event {list.Count + 1}",
                xy.X,
                xy.Y,
                day - 1,
                start,
                Number("minutes") * 60,
                Number("vehicles"),
                Number("dwell", 3),
                Number("walk", 1000));
            list.Add(ev);
        }

        return list;
    }

    private static string AlternativeName(PricingPolicy pricing, IReadOnlyDictionary<string, int> changes, IReadOnlyDictionary<string, double> prices, string? scope)
    {
        var parts = new List<string>();
        if (pricing.Kind == PricingKind.Performance)
        {
            parts.Add($"performance pricing ({(string.IsNullOrWhiteSpace(scope) ? "every facility" : scope)})");
        }

        parts.AddRange(prices.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} at {kv.Value:0.00} an hour")));
        parts.AddRange(changes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value:+0;-0;0} spaces"));
        return parts.Count == 0 ? "today's flat prices (unchanged)" : string.Join(", ", parts);
    }
}
