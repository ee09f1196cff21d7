// The server's TLS certificate, made with OpenSSL on first start.
#include <netdb.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "egmf/app/private_file.h"
#include "egmf/remote/server_identity.h"

namespace egmf::remote {
namespace {

template <auto Free>
struct Freer {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};
template <typename T, auto Free>
using Owned = std::unique_ptr<T, Freer<Free>>;
using Bio = Owned<BIO, BIO_free_all>;
using Key = Owned<EVP_PKEY, EVP_PKEY_free>;
using Cert = Owned<X509, X509_free>;
using Extension = Owned<X509_EXTENSION, X509_EXTENSION_free>;

std::string bioText(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Result<std::string> readText(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return makeError(ErrorCode::NotFound, file.string() + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool addExtension(X509* cert, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

Result<Certificate> makeSelfSigned() {
    Key key(EVP_EC_gen("P-256"));
    Cert cert(X509_new());
    if (!key || !cert) return makeError(ErrorCode::Internal, "OpenSSL could not make a key");
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    std::ifstream("/dev/urandom", std::ios::binary).read(reinterpret_cast<char*>(serial), sizeof serial);
    serial[0] &= 0x7f;  // a positive serial number
    Owned<BIGNUM, BN_free> number(BN_bin2bn(serial, sizeof serial, nullptr));
    BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    auto* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("egmf serve"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    // Its own root (the client trusts this certificate alone), for these names.
    if (!addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
        !addExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
        !addExtension(cert.get(), NID_subject_key_identifier, "hash") ||
        !addExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") ||
        X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        return makeError(ErrorCode::Internal, "OpenSSL could not sign the certificate");
    }
    Bio certText(BIO_new(BIO_s_mem())), keyText(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(certText.get(), cert.get());
    PEM_write_bio_PrivateKey(keyText.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    return Certificate{bioText(certText.get()), bioText(keyText.get())};
}

}  // namespace

Result<Certificate> loadOrCreateServerCertificate(const std::filesystem::path& folder) {
    const auto certFile = folder / "server.crt", keyFile = folder / "server.key";
    if (std::filesystem::exists(certFile) || std::filesystem::exists(keyFile)) return readServerCertificate(certFile, keyFile);
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    auto made = makeSelfSigned();
    if (!made.ok()) return made.error();
    if (auto w = writeFileAtomically(keyFile, made->privateKeyPem, 0600); !w.ok()) return w.error();
    if (auto w = writeFileAtomically(certFile, made->certificatePem, 0644); !w.ok()) return w.error();
    return made;
}

Result<Certificate> readServerCertificate(const std::filesystem::path& certificate, const std::filesystem::path& key) {
    auto certText = readText(certificate);
    if (!certText.ok()) return makeError(ErrorCode::NotFound, certificate.string() + ": the server's certificate cannot be read");
    auto keyText = readText(key);
    if (!keyText.ok()) return makeError(ErrorCode::NotFound, key.string() + ": the server's private key cannot be read");
    if (!certificateFingerprint(*certText).ok()) {
        return makeError(ErrorCode::Corrupt,
                         certificate.string() + ": not a PEM certificate; give one with --tls-cert, or delete it to make a new one");
    }
    Bio bio(BIO_new_mem_buf(keyText->data(), static_cast<int>(keyText->size())));
    Key parsed(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!parsed) return makeError(ErrorCode::Corrupt, key.string() + ": not a PEM private key");
    return Certificate{std::move(*certText), std::move(*keyText)};
}

Result<std::string> certificateFingerprint(const std::string& certificatePem) {
    Bio bio(BIO_new_mem_buf(certificatePem.data(), static_cast<int>(certificatePem.size())));
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return makeError(ErrorCode::Corrupt, "not a PEM certificate");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (X509_digest(cert.get(), EVP_sha256(), digest, &size) != 1)
        return makeError(ErrorCode::Internal, "OpenSSL could not hash the certificate");
    std::string out;
    char hex[4];
    for (unsigned int i = 0; i < size; ++i) {
        std::snprintf(hex, sizeof hex, i + 1 < size ? "%02X:" : "%02X", digest[i]);
        out += hex;
    }
    return out;
}

Result<std::string> fetchServerCertificate(const std::string& address, int timeoutSeconds) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return makeError(ErrorCode::InvalidArgument, address + ": give the server as HOST:PORT");
    auto host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const auto port = address.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
        return makeError(ErrorCode::NotFound, address + ": no such host; check the address");
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    // A bounded wait at every step: a host that does not answer must not hang the caller.
    const timeval timeout{timeoutSeconds, 0};
    int fd = -1;
    for (auto* a = found; a && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);  // bounds connect() too
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    if (fd < 0) return makeError(ErrorCode::Io, address + ": nothing answers there; check the address and that `egmf serve` runs");
    Owned<SSL_CTX, SSL_CTX_free> context(SSL_CTX_new(TLS_client_method()));
    Owned<SSL, SSL_free> ssl(context ? SSL_new(context.get()) : nullptr);
    if (!ssl) {
        ::close(fd);
        return makeError(ErrorCode::Internal, "OpenSSL could not start a TLS client");
    }
    // Unverified on purpose: the user compares the fingerprint before this certificate is trusted.
    SSL_set_verify(ssl.get(), SSL_VERIFY_NONE, nullptr);
    SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>("\x02h2"), 3);  // gRPC speaks HTTP/2 only
    SSL_set_tlsext_host_name(ssl.get(), host.c_str());
    SSL_set_fd(ssl.get(), fd);
    const bool handshake = SSL_connect(ssl.get()) == 1;
    Cert peer(handshake ? SSL_get1_peer_certificate(ssl.get()) : nullptr);
    if (handshake) SSL_shutdown(ssl.get());
    ::close(fd);
    if (!peer) return makeError(ErrorCode::Io, address + ": no TLS server answers there (is it an `egmf serve` port?)");
    Bio text(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(text.get(), peer.get());
    return bioText(text.get());
}

}  // namespace egmf::remote
