namespace CityTwin.Cluster.Tests;

public sealed class SampleCityTests
{
    [Fact]
    public void Sample_city_is_a_mid_size_town_of_the_required_size()
    {
        var city = SampleCity.Model;
        Assert.True(city.Districts.Count >= 4, $"{city.Districts.Count} districts");
        Assert.True(city.Signals.Count >= 24, $"{city.Signals.Count} signals");
        Assert.True(city.Links.Count >= 60, $"{city.Links.Count} links");
        Assert.True(city.Parking.Count >= 8, $"{city.Parking.Count} parking facilities");
        Assert.True(city.Detectors.Count >= 100, $"{city.Detectors.Count} detectors");
    }

    [Fact]
    public void Every_sample_entity_has_a_district_and_a_cell_of_the_grid()
    {
        var city = SampleCity.Model;
        foreach (var p in city.Signals.Select(s => s.Placement).Concat(city.Parking.Select(p => p.Placement)).Concat(city.Detectors.Select(d => d.Placement)))
        {
            Assert.True(city.DistrictsById.ContainsKey(p.DistrictId));
            Assert.True(city.CellsById.ContainsKey(p.CellId));
        }

        Assert.Equal(250, city.CellSizeM);
        Assert.All(city.Districts, d => Assert.Contains(city.Signals, s => s.Placement.DistrictId == d.Id));
    }

    [Fact]
    public void Every_sample_approach_has_a_detector()
    {
        var city = SampleCity.Model;
        foreach (var s in city.Signals)
        {
            foreach (var a in s.Approaches)
            {
                Assert.Contains(city.DetectorsOf(s.Id), d => d.ApproachId == a.Id);
            }
        }
    }
}
