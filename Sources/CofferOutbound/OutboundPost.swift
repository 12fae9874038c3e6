import CCurl

/// One HTTP POST through libcurl, the only way Coffer talks to the outside world (webhook
/// deliveries). It owns its `CURL` handle and header lists for the length of the call; nothing
/// above it sees a pointer. It never follows a redirect, speaks only HTTP and HTTPS, reads at most
/// a few KiB of the answer, and gives up after `timeoutSeconds`.
public enum OutboundPost {
    public enum Outcome: Sendable, Equatable {
        /// The peer answered with this HTTP status.
        case answered(status: Int)
        /// No answer: refused, timed out, TLS failed… (libcurl's own words).
        case failed(String)
    }

    /// libcurl's global state, set up once before the first request on any thread.
    private static let ready: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// - Parameter address: connect to this IP address (checked by the caller) for the URL's
    ///   host and port, instead of resolving the name again: DNS cannot change between the check
    ///   and the connection.
    public static func post(
        url: String, port: Int, address: String, headers: [(String, String)], body: [UInt8], timeoutSeconds: Int
    ) -> Outcome {
        guard ready, let curl = curl_easy_init() else { return .failed("libcurl could not start a request") }
        defer { curl_easy_cleanup(curl) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        defer { curl_slist_free_all(headerList) }
        let pinned = address.contains(":") ? "[\(address)]" : address
        // Any host and port of this request connects to the checked address: the pin holds even if
        // libcurl reads the URL's host differently from the check.
        let resolveList = curl_slist_append(nil, "::\(pinned):\(port)")
        defer { curl_slist_free_all(resolveList) }

        var status = CURLE_OK
        func set(_ option: CURLoption, _ value: Int) { if status == CURLE_OK { status = coffer_curl_set_long(curl, option, value) } }
        func set(_ option: CURLoption, _ value: String) {
            // libcurl copies string options.
            if status == CURLE_OK { status = value.withCString { coffer_curl_set_pointer(curl, option, $0) } }
        }
        set(CURLOPT_URL, url)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        // No proxy from the environment: it would connect in the pin's stead.
        set(CURLOPT_PROXY, "")
        set(CURLOPT_FOLLOWLOCATION, 0)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_TIMEOUT, timeoutSeconds)
        set(CURLOPT_CONNECTTIMEOUT, timeoutSeconds)
        set(CURLOPT_POST, 1)
        set(CURLOPT_POSTFIELDSIZE, body.count)
        if status == CURLE_OK { status = coffer_curl_set_pointer(curl, CURLOPT_HTTPHEADER, headerList) }
        if status == CURLE_OK { status = coffer_curl_set_pointer(curl, CURLOPT_CONNECT_TO, resolveList) }
        // The answer's body is not kept: a receiver says what it needs to with its status.
        if status == CURLE_OK { status = coffer_curl_set_write_function(curl) { _, size, count, _ in size * count } }
        guard status == CURLE_OK else { return .failed(String(cString: curl_easy_strerror(status))) }
        let performed = body.withUnsafeBufferPointer { bytes in
            // Not copied by libcurl: the buffer must outlive curl_easy_perform, which it does here.
            let set = coffer_curl_set_pointer(curl, CURLOPT_POSTFIELDS, bytes.baseAddress ?? UnsafePointer(bitPattern: 1))
            return set == CURLE_OK ? curl_easy_perform(curl) : set
        }
        guard performed == CURLE_OK else { return .failed(String(cString: curl_easy_strerror(performed))) }
        var code = 0
        guard coffer_curl_response_code(curl, &code) == CURLE_OK else { return .failed("no HTTP status in the answer") }
        return .answered(status: code)
    }
}
