using CityTwin.Engine.Parking.WhatIf;
using CityTwin.Formats.ParkingWhatIf;

namespace CityTwin.Engine.Tests.Parking.WhatIf;

public sealed class ParkingFormatTests
{
    [Fact]
    public void Demand_model_file_round_trips()
    {
        var a = new ParkingDemandAssumptions
        {
            Dwell = DwellDistribution.FromMedian(1.2, 0.7),
            DwellOffStreet = DwellDistribution.FromMedian(2.5, 0.6),
            DayFactors = [1, 1, 1, 1, 1, 0.8, 0.6],
            TargetPeakOccupancy = 0.62,
            Elasticity = -0.3,
            MaxWalkM = 500,
        };
        var path = Path.Combine(Path.GetTempPath(), $"parking-demand-{Guid.NewGuid():N}.json");
        try
        {
            ParkingDemandFile.Write(path, a, "test");
            var back = ParkingDemandFile.Read(path);
            Assert.Equal(a.Dwell.Mu, back.Dwell.Mu, 1e-6);
            Assert.Equal(a.DwellOffStreet.Sigma, back.DwellOffStreet!.Sigma, 1e-6);
            Assert.Equal(a.DayFactors, back.DayFactors);
            Assert.Equal(0.62, back.TargetPeakOccupancy);
            Assert.Equal(-0.3, back.Elasticity);
            Assert.Equal(500, back.MaxWalkM);
            Assert.Null(back.ParkingShare);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Demand_model_errors_name_the_file_and_every_bad_field()
    {
        var e = Assert.Throws<ParkingDemandFormatException>(() => ParkingDemandFile.Parse(
            """{ "dwell": { "mu": 0.1 }, "dayFactors": [1, 1, 1], "elasticity": 0.5 }""", "model.json"));
        Assert.Contains("model.json: field 'dwell.sigma': missing", e.Message);
        Assert.Contains("model.json: field 'dayFactors'", e.Message);
        Assert.Contains("model.json: field 'elasticity': 0.5 is outside -5..0", e.Message);
        Assert.Contains("not JSON", Assert.Throws<ParkingDemandFormatException>(() => ParkingDemandFile.Parse("{", "m.json")).Message);
    }

    [Fact]
    public void Occupancy_counts_reader_names_line_and_field_of_each_bad_line()
    {
        var csv = """
            SystemCodeNumber,Capacity,Occupancy,LastUpdated
            BHM1,577,61,2016-10-04 07:59:42
            BHM1,many,64,2016-10-04 08:25:42
            BHM1,577,80,yesterday
            BHM2,300,-2,2016-10-04 08:59:42
            """;
        var e = Assert.Throws<ParkingDemandFormatException>(() => OccupancyCountsReader.Read(new StringReader(csv), "counts.csv"));
        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("counts.csv: line 3: field 'Capacity': 'many' is not an integer", e.Errors);
        Assert.Contains("counts.csv: line 4: field 'LastUpdated'", e.Errors[1]);

        var good = OccupancyCountsReader.Read(new StringReader(string.Join('\n', csv.Split('\n').Where((_, i) => i is not 2 and not 3))), "counts.csv");
        Assert.Equal(2, good.Count);
        Assert.Equal(new OccupancySample("BHM2", 300, -2, new DateTime(2016, 10, 4, 8, 59, 42)), good[1]);
    }
}
