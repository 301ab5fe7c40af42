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

/// Blocking HTTP over libcurl, one easy handle per request; call it off the UI thread.
public final class CurlTransport: Sendable {
    public let connectTimeout: Duration
    public let totalTimeout: Duration
    /// PEM certificate authorities for https://, instead of the system's; verification stays on.
    public let caFile: String?

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
        guard let handle = curl_easy_init() else { throw .unreachable("libcurl could not start a request") }
        defer { curl_easy_cleanup(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in headers { headerList = curl_slist_append(headerList, header) }
        defer { curl_slist_free_all(headerList) }

        let sink = ResponseSink()
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }

        _ = sf_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = sf_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        // Without NOSIGNAL, libcurl's timeouts use signals, which are unsafe off the main thread.
        _ = sf_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
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

private final class ResponseSink {
    var data = Data()
}
