using CityTwin.Contracts;
using Orleans.Concurrency;

namespace CityTwin.Grains;

/// <summary>
/// Answers who the silo took the caller to be (<see cref="ClientCalls.Current"/>, set by the silo's check of a
/// cluster client's token). A stateless worker: it reads only the call's request context.
/// </summary>
[StatelessWorker]
public sealed class CallerGrain : Grain, ICallerGrain
{
    public Task<CallerInfo?> WhoAmIAsync() => Task.FromResult(ClientCalls.Current);
}
