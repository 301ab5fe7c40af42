import CCurl
import Foundation

public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: Data
    /// `Retry-After` in seconds, when the answer has one (429, 503).
    public var retryAfter: Int? = nil
}

/// Why no HTTP answer came back at all.
public enum TransportError: Error, Equatable, Sendable {
    case unreachable(String)
    case timedOut(seconds: Int)
    /// An https:// server whose certificate does not verify (an unknown authority,
    /// another host's name, expired): libcurl's reason.
    case untrusted(String)
}

/// Blocking HTTP over libcurl; call it off the UI thread. Easy handles are kept
/// between requests (`HandlePool`, one per transport, so a transport's connections
/// are its own), so the connection to the server stays open (keep-alive) and TLS
/// sessions are reused; a connection the server closed is replaced on the next
/// request without the caller seeing it.
public final class CurlTransport: Sendable {
    public let connectTimeout: Duration
    public let totalTimeout: Duration
    /// PEM certificate authorities for https://, instead of the system's; verification stays on.
    public let caFile: String?
    private let pool = HandlePool()

    private static let initialised: Bool = {
        curl_global_init(3)  // CURL_GLOBAL_ALL: SSL and Win32 parts; a macro Swift cannot import
        return true
    }()

    public init(connectTimeout: Duration = .seconds(3), totalTimeout: Duration = .seconds(10), caFile: String? = nil) {
        _ = Self.initialised
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.caFile = caFile
    }

    public func send(method: String, url: String, body: Data?, headers: [String]) throws(TransportError) -> HTTPResponse {
        guard let handle = pool.take() else { throw .unreachable("libcurl could not start a request") }
        defer { pool.give(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in headers { headerList = curl_slist_append(headerList, header) }
        defer { curl_slist_free_all(headerList) }

        let sink = ResponseSink()
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        // The handle outlives this request: it keeps no pointer to what is freed here.
        defer {
            _ = sf_curl_setopt_headers(handle, nil)
            _ = sf_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, nil)
        }

        _ = sf_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = sf_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        // Without NOSIGNAL, libcurl's timeouts use signals, which are unsafe off the main thread.
        _ = sf_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        // Idle kept-alive connections are probed, so one a middlebox dropped is found dead early.
        _ = sf_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = sf_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connectTimeout))
        _ = sf_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(totalTimeout))
        _ = sf_curl_setopt_headers(handle, headerList)
        // Certificates and host names are always verified (libcurl's default, stated).
        _ = sf_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = sf_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { _ = sf_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        var errorText = [CChar](repeating: 0, count: 256)  // CURL_ERROR_SIZE
        _ = sf_curl_setopt_write(handle, { data, size, count, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            sink.data.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }, context.toOpaque())
        if let body {
            _ = sf_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBytes { bytes in
                _ = sf_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
        }

        let code = errorText.withUnsafeMutableBufferPointer { buffer in
            _ = sf_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            defer { _ = sf_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil) }
            return curl_easy_perform(handle)
        }
        let detail = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        switch code {
        case CURLE_OK:
            let retryAfter = sf_curl_header(handle, "Retry-After").flatMap { Int(String(cString: $0).trimmingCharacters(in: .whitespaces)) }
            return HTTPResponse(status: sf_curl_response_code(handle), body: sink.data, retryAfter: retryAfter)
        case CURLE_COULDNT_CONNECT:
            throw .unreachable("connection refused")
        case CURLE_COULDNT_RESOLVE_HOST:
            throw .unreachable("unknown host")
        case CURLE_OPERATION_TIMEDOUT:
            throw .timedOut(seconds: Int(totalTimeout.components.seconds))
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM:
            throw .untrusted(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        default:
            throw .unreachable(String(cString: curl_easy_strerror(code)))
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// Easy handles kept between requests: libcurl keeps each handle's connections
/// open (HTTP/1.1 keep-alive) and reuses them for the next request to the same
/// server, noticing and replacing one the server closed meanwhile. A request takes
/// the handle given back last (so requests one after another, whichever thread
/// sends them, go over the same connection) and requests at once take one each;
/// a handle is used by one thread at a time, as libcurl requires. TLS sessions and
/// DNS answers are shared by every handle, through one share handle with a lock per
/// kind of data (connections are not: libcurl does not support sharing them between
/// threads), so a second connection resumes the first one's TLS session.
/// The easy handles of one transport and the TLS sessions and DNS answers they share.
/// Each handle keeps its own connections, so two transports (two test clients in one
/// process, say) never answer from each other's connections.
private final class HandlePool: @unchecked Sendable {
    /// Idle handles kept at most: as many connections stay open to a server.
    static let most = 8

    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []
    private let locks: UnsafeMutablePointer<pthread_mutex_t>
    private var share: UnsafeMutableRawPointer?

    init() {
        let count = Int(CURL_LOCK_DATA_LAST.rawValue)
        locks = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: count)
        for index in 0..<count { pthread_mutex_init(locks + index, nil) }
        guard let share = curl_share_init() else { return }
        let code = sf_curl_share_setup(share, { _, data, _, context in
            guard let context else { return }
            pthread_mutex_lock(context.assumingMemoryBound(to: pthread_mutex_t.self) + Int(data.rawValue))
        }, { _, data, context in
            guard let context else { return }
            pthread_mutex_unlock(context.assumingMemoryBound(to: pthread_mutex_t.self) + Int(data.rawValue))
        }, UnsafeMutableRawPointer(locks))
        if code == CURLSHE_OK { self.share = share } else { curl_share_cleanup(share) }
    }

    /// A handle with its options reset (its connections and TLS sessions kept).
    func take() -> UnsafeMutableRawPointer? {
        lock.lock()
        let kept = idle.popLast()
        lock.unlock()
        if let kept { curl_easy_reset(kept) }
        guard let handle = kept ?? curl_easy_init() else { return nil }
        if let share { _ = sf_curl_setopt_share(handle, share) }
        return handle
    }

    func give(_ handle: UnsafeMutableRawPointer) {
        lock.lock()
        if idle.count < Self.most {
            idle.append(handle)
            lock.unlock()
        } else {
            lock.unlock()
            curl_easy_cleanup(handle)
        }
    }

    deinit {
        // Every handle is back: a request holds its transport, and so this pool, until it ends.
        for handle in idle { curl_easy_cleanup(handle) }
        if let share { curl_share_cleanup(share) }
        for index in 0..<Int(CURL_LOCK_DATA_LAST.rawValue) { pthread_mutex_destroy(locks + index) }
        locks.deallocate()
    }
}

private final class ResponseSink {
    var data = Data()
}
