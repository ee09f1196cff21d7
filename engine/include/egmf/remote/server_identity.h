#pragma once
// What makes a server trustworthy and its clients known (docs/remote-engine.md, Security):
// its TLS certificate (made on first start unless one is given; the client pins it by using it
// as its only root and shows its SHA-256 fingerprint), and one token per client, stored hashed in
// a 0600 file, so that a client sees only its own jobs and can be revoked.

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "egmf/result.h"

namespace egmf::remote {

struct Certificate {
    std::string certificatePem;
    std::string privateKeyPem;  ///< empty on the client's side
};

/// <folder>/server.crt and server.key; made (an EC P-256 key, self-signed for 10 years, SANs
/// localhost and 127.0.0.1, the key 0600) when they do not exist yet.
Result<Certificate> loadOrCreateServerCertificate(const std::filesystem::path& folder);
/// A certificate and key given by the operator (PEM files).
Result<Certificate> readServerCertificate(const std::filesystem::path& certificate, const std::filesystem::path& key);
/// SHA-256 of the certificate's DER bytes, as "AB:CD:...": what a user compares.
Result<std::string> certificateFingerprint(const std::string& certificatePem);
/// The certificate a server at host:port presents, unverified: for a user to confirm by its
/// fingerprint before trusting it (and then pinning it).
Result<std::string> fetchServerCertificate(const std::string& address, int timeoutSeconds = 10);

/// The server's clients: name and the SHA-256 of the token (never the token). The file is re-read
/// when it changes, so a revocation counts from the next call. Thread-safe.
class ClientRegistry {
public:
    explicit ClientRegistry(std::filesystem::path file);
    /// Adds a client (or replaces its token) and returns the new token (shown once).
    Result<std::string> add(const std::string& name);
    /// Removes a client; false when there was none of that name.
    Result<bool> revoke(const std::string& name);
    /// The client a token belongs to; nullopt for an unknown token.
    std::optional<std::string> clientOf(const std::string& token);
    Result<std::vector<std::string>> names();
    const std::filesystem::path& file() const { return m_file; }

private:
    struct Entry {
        std::string name, tokenSha256;
    };
    Result<std::vector<Entry>> read();
    Result<void> write(const std::vector<Entry>& entries);
    std::filesystem::path m_file;
    std::filesystem::file_time_type m_readAt{};
    std::vector<Entry> m_entries;
    std::mutex m_mutex;
};

}  // namespace egmf::remote
