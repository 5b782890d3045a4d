using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;

namespace CityTwin.Client.Tls;

/// <summary>
/// Runs an Orleans connection over TLS: connection middleware (for <c>SiloConnectionOptions</c> and
/// <c>ClientConnectionOptions</c>) that makes the TLS handshake on the connection's bytes with
/// <see cref="SslStream"/>, then hands Orleans a transport that reads and writes through it. A handshake that fails
/// or takes longer than <see cref="HandshakeTimeout"/> closes the connection before Orleans sees a byte.
/// </summary>
public static class TlsTransport
{
    /// <summary>How long a handshake may take.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The middleware: <paramref name="authenticate"/> makes the handshake on the <see cref="SslStream"/> (as server or
    /// client, with its certificate check); on failure <paramref name="failed"/> is told why and the connection closes.
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(
        Func<SslStream, ConnectionContext, CancellationToken, Task> authenticate,
        RemoteCertificateValidationCallback validate,
        Action<ConnectionContext, Exception> failed) =>
        next => connection => RunAsync(connection, next, authenticate, validate, failed);

    private static async Task RunAsync(
        ConnectionContext connection,
        ConnectionDelegate next,
        Func<SslStream, ConnectionContext, CancellationToken, Task> authenticate,
        RemoteCertificateValidationCallback validate,
        Action<ConnectionContext, Exception> failed)
    {
        var plain = connection.Transport;
        var bytes = new PipeStream(plain);
        var ssl = new SslStream(bytes, leaveInnerStreamOpen: false, validate);
        try
        {
            using var timeout = new CancellationTokenSource(HandshakeTimeout);
            await authenticate(ssl, connection, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or InvalidOperationException)
        {
            failed(connection, e);
            await ssl.DisposeAsync();
            connection.Abort(new ConnectionAbortedException("TLS handshake failed", e));
            return;
        }

        var input = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
        var output = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
        connection.Transport = new Duplex(input, output);

        // Orleans closes a connection by cancelling the pending read and flush of the transport it was given first
        // (the plain one): pass that on to the reads and flushes it makes through TLS.
        bytes.Cancelled = () =>
        {
            input.CancelPendingRead();
            output.CancelPendingFlush();
        };
        try
        {
            await next(connection);
        }
        finally
        {
            // Orleans closes the connection through the plain transport it was given first; put it back.
            connection.Transport = plain;
            await input.CompleteAsync();
            await output.CompleteAsync();
            await ssl.DisposeAsync();
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    /// <summary>
    /// The connection's plain bytes as a stream for <see cref="SslStream"/>. A read or flush that Orleans cancels when it
    /// closes the connection ends the stream and is passed on (<see cref="Cancelled"/>).
    /// </summary>
    private sealed class PipeStream(IDuplexPipe pipe) : Stream
    {
        /// <summary>Called when Orleans cancels a pending read or flush of the plain transport.</summary>
        public Action? Cancelled { get; set; }

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await pipe.Input.ReadAsync(cancellationToken);
            if (read.IsCanceled)
            {
                pipe.Input.AdvanceTo(read.Buffer.Start);
                Cancelled?.Invoke();
                return 0;
            }

            var available = read.Buffer;
            var length = (int)Math.Min(available.Length, buffer.Length);
            available.Slice(0, length).CopyTo(buffer.Span);
            pipe.Input.AdvanceTo(available.GetPosition(length));
            return length;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if ((await pipe.Output.WriteAsync(buffer, cancellationToken)).IsCanceled)
            {
                Cancelled?.Invoke();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if ((await pipe.Output.FlushAsync(cancellationToken)).IsCanceled)
            {
                Cancelled?.Invoke();
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush() => FlushAsync().GetAwaiter().GetResult();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
