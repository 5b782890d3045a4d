using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;

namespace CityTwin.Silo.Security;

/// <summary>
/// Connection middleware of the gateway: refuses a client that connects under the id of a silo's hosted client
/// (<c>sys.client/hosted-{silo}</c>, the client each silo runs for calls made outside grains, such as the HTTP API's).
/// </summary>
/// <remarks>
/// <para>
/// A client chooses its own id: it is the first thing it sends (Orleans' connection preamble), and the gateway takes it
/// as it is. A silo delivers a message for a client to a gateway connection of that id before its own hosted client,
/// so a client under a hosted client's id would receive the answers to the HTTP API's grain calls, and they carry the
/// request context of the call they answer, the cluster secret included (<see cref="ClusterSecret"/>).
/// </para>
/// <para>
/// The preamble is read without taking it from the connection (Orleans reads it next), with Orleans' own serializer;
/// its type is internal to Orleans and found by name when the silo starts, so a version of Orleans without it stops
/// the silo rather than let every client in.
/// </para>
/// </remarks>
public sealed partial class HostedClientIdGuard
{
    /// <summary>The key prefix of a silo's hosted client id (Orleans' HostedClient.CreateHostedClientGrainId).</summary>
    private static ReadOnlySpan<byte> HostedClientKeyPrefix => "hosted-"u8;

    /// <summary>Orleans' limit on a preamble's length (ConnectionPreambleHelper).</summary>
    private const int MaxPreambleLength = 1024;

    private readonly Func<ReadOnlySequence<byte>, GrainId> _nodeIdentity;
    private readonly ILogger<HostedClientIdGuard> _log;

    public HostedClientIdGuard(IServiceProvider services)
    {
        const string PreambleTypeName = "Orleans.Runtime.Messaging.ConnectionPreamble";
        var preamble = typeof(IClusterClient).Assembly.GetType(PreambleTypeName)
            ?? throw new InvalidOperationException($"this version of Orleans has no {PreambleTypeName}: the gateway's check of client ids (HostedClientIdGuard) needs updating");
        var identity = preamble.GetProperty("NodeIdentity", BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{PreambleTypeName} has no NodeIdentity: the gateway's check of client ids (HostedClientIdGuard) needs updating");
        var deserialize = typeof(Serializer).GetMethod(nameof(Serializer.Deserialize), [typeof(ReadOnlySequence<byte>)])!.MakeGenericMethod(preamble);
        var serializer = services.GetRequiredService<Serializer>();
        _nodeIdentity = bytes => (GrainId)identity.GetValue(deserialize.Invoke(serializer, [bytes]))!;
        _log = services.GetRequiredService<ILogger<HostedClientIdGuard>>();
    }

    /// <summary>True for a silo's hosted client id.</summary>
    public static bool IsHostedClientId(GrainId id) => id.IsClient() && id.Key.AsSpan().StartsWith(HostedClientKeyPrefix);

    /// <summary>The middleware: on to Orleans, unless the client claims a hosted client's id (then the connection is closed).</summary>
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (await ReadClientIdAsync(connection.Transport.Input, connection.ConnectionClosed) is { } id && IsHostedClientId(id))
        {
            LogRefused(_log, connection.RemoteEndPoint?.ToString() ?? "an unknown address", id.ToString());
            connection.Abort(new ConnectionAbortedException("a client may not use a silo's hosted client id"));
            return;
        }

        await next(connection);
    }

    /// <summary>
    /// The client id of the preamble, left unread for Orleans; null when the bytes are no preamble of a size Orleans
    /// takes (Orleans refuses those itself) or the connection ends first.
    /// </summary>
    private async Task<GrainId?> ReadClientIdAsync(PipeReader input, CancellationToken closed)
    {
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(closed);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            var buffer = read.Buffer;
            int? length = buffer.Length >= sizeof(int) ? ReadLength(buffer) : null;

            var usable = length is >= 0 and <= MaxPreambleLength;
            var whole = usable && buffer.Length >= sizeof(int) + length!.Value;
            if (whole || (length is not null && !usable) || read.IsCompleted || read.IsCanceled)
            {
                try
                {
                    return whole ? _nodeIdentity(buffer.Slice(sizeof(int), length!.Value)) : null;
                }
                catch (TargetInvocationException)
                {
                    // Not a preamble: Orleans reads the same bytes next and closes the connection.
                    return null;
                }
                finally
                {
                    // Nothing consumed and nothing examined: Orleans' next read returns these bytes at once.
                    input.AdvanceTo(buffer.Start);
                }
            }

            // Wait for more bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The preamble's length: its first four bytes, little-endian.</summary>
    private static int ReadLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[sizeof(int)];
        buffer.Slice(0, sizeof(int)).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32LittleEndian(prefix);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a gateway connection from {Remote}: the client gave the id {ClientId} of a silo's hosted client")]
    private static partial void LogRefused(ILogger logger, string remote, string clientId);
}
