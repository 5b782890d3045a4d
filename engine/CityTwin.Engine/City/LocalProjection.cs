using NetTopologySuite.Geometries;

namespace CityTwin.Engine.City;

/// <summary>
/// A local equirectangular projection from WGS84 longitude/latitude to metres, centred on a reference
/// point. Over a city's extent (tens of kilometres) its distance error stays well under 0.1%.
/// </summary>
public sealed class LocalProjection
{
    /// <summary>Mean Earth radius in metres (IUGG).</summary>
    public const double EarthRadiusM = 6_371_008.8;

    private readonly double _lon0;
    private readonly double _lat0;
    private readonly double _metresPerDegreeLon;
    private readonly double _metresPerDegreeLat;

    public LocalProjection(double lon0, double lat0)
    {
        _lon0 = lon0;
        _lat0 = lat0;
        _metresPerDegreeLat = EarthRadiusM * Math.PI / 180.0;
        _metresPerDegreeLon = _metresPerDegreeLat * Math.Cos(lat0 * Math.PI / 180.0);
    }

    /// <summary>Projects longitude/latitude to (x east, y north) metres.</summary>
    public Coordinate Project(Coordinate lonLat) =>
        new((lonLat.X - _lon0) * _metresPerDegreeLon, (lonLat.Y - _lat0) * _metresPerDegreeLat);

    /// <summary>Back from metres to longitude/latitude.</summary>
    public Coordinate Unproject(Coordinate xy) =>
        new(_lon0 + (xy.X / _metresPerDegreeLon), _lat0 + (xy.Y / _metresPerDegreeLat));

    /// <summary>Projects every coordinate of a geometry into a new geometry.</summary>
    public Geometry Project(Geometry lonLat)
    {
        var copy = lonLat.Copy();
        copy.Apply(new ProjectFilter(this));
        copy.GeometryChanged();
        return copy;
    }

    /// <summary>Length in metres of a longitude/latitude path.</summary>
    public double PathLengthM(IReadOnlyList<Coordinate> lonLat)
    {
        var total = 0.0;
        for (var i = 1; i < lonLat.Count; i++)
        {
            total += Project(lonLat[i - 1]).Distance(Project(lonLat[i]));
        }

        return total;
    }

    private sealed class ProjectFilter(LocalProjection projection) : ICoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            var p = projection.Project(new Coordinate(seq.GetX(i), seq.GetY(i)));
            seq.SetX(i, p.X);
            seq.SetY(i, p.Y);
        }
    }
}
