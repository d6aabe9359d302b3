import Foundation

/// A stable, credential-free name of an endpoint URL, part of every judgment-store key: the
/// lowercased host, the port when it is not the scheme's default, and the path without a trailing
/// slash. User, password, query and fragment are dropped (keys passed as `?key=` never reach it).
///
/// `https://u:sk@API.example.com:443/v1/chat/completions/?key=x` -> `api.example.com/v1/chat/completions`.
public enum EndpointIdentity {
    /// The identity of `url`.
    public static func of(_ url: URL) -> String {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
            return url.host ?? ""
        }
        var identity = (components.host ?? "").lowercased()
        let scheme = components.scheme?.lowercased()
        if let port = components.port, !(scheme == "https" && port == 443) && !(scheme == "http" && port == 80) {
            identity += ":\(port)"
        }
        var path = components.path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if path != "/" { identity += path }
        return identity
    }
}
