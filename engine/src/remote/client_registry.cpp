// The server's clients, one token each, stored as SHA-256 hashes in a 0600 JSON file.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "egmf/app/private_file.h"
#include "egmf/app/sha256.h"
#include "egmf/remote/server_identity.h"

namespace egmf::remote {
namespace {

std::string hashOf(const std::string& token) {
    return sha256Hex({reinterpret_cast<const std::uint8_t*>(token.data()), token.size()});
}

Result<std::string> newToken() {
    unsigned char bytes[32];
    std::ifstream random("/dev/urandom", std::ios::binary);
    if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes)) return makeError(ErrorCode::Io, "/dev/urandom cannot be read");
    std::string token = "egmf_";
    char hex[3];
    for (unsigned char b : bytes) {
        std::snprintf(hex, sizeof hex, "%02x", b);
        token += hex;
    }
    return token;
}

}  // namespace

ClientRegistry::ClientRegistry(std::filesystem::path file) : m_file(std::move(file)) {}

Result<std::vector<ClientRegistry::Entry>> ClientRegistry::read() {
    std::error_code ec;
    if (!std::filesystem::exists(m_file, ec)) return std::vector<Entry>{};
    std::ifstream in(m_file);
    std::stringstream text;
    text << in.rdbuf();
    const auto json = nlohmann::json::parse(text.str(), nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("clients") || !json["clients"].is_array()) {
        return makeError(ErrorCode::Corrupt, m_file.string() + ": not a clients file; restore it, or remove it and add the clients again");
    }
    std::vector<Entry> entries;
    for (const auto& client : json["clients"]) {
        if (!client.is_object() || !client.value("name", nlohmann::json()).is_string() ||
            !client.value("token_sha256", nlohmann::json()).is_string()) {
            return makeError(ErrorCode::Corrupt, m_file.string() + ": an entry without a name or token hash");
        }
        entries.push_back({client["name"].get<std::string>(), client["token_sha256"].get<std::string>()});
    }
    return entries;
}

Result<void> ClientRegistry::write(const std::vector<Entry>& entries) {
    nlohmann::json clients = nlohmann::json::array();
    for (const auto& e : entries) clients.push_back({{"name", e.name}, {"token_sha256", e.tokenSha256}});
    const auto text = nlohmann::json{{"clients", clients}}.dump(2) + "\n";
    return writeFileAtomically(m_file, text, 0600);
}

Result<std::string> ClientRegistry::add(const std::string& name) {
    if (name.empty() || name.find_first_of(" \t\n\r\"'") != std::string::npos) {
        return makeError(ErrorCode::InvalidArgument, "a client's name is one word without quotes, e.g. alice-laptop");
    }
    std::lock_guard lock(m_mutex);
    auto entries = read();
    if (!entries.ok()) return entries.error();
    auto token = newToken();
    if (!token.ok()) return token.error();
    std::erase_if(*entries, [&](const Entry& e) { return e.name == name; });
    entries->push_back({name, hashOf(*token)});
    if (auto w = write(*entries); !w.ok()) return w.error();
    return token;
}

Result<bool> ClientRegistry::revoke(const std::string& name) {
    std::lock_guard lock(m_mutex);
    auto entries = read();
    if (!entries.ok()) return entries.error();
    const auto removed = std::erase_if(*entries, [&](const Entry& e) { return e.name == name; });
    if (removed == 0) return false;
    if (auto w = write(*entries); !w.ok()) return w.error();
    return true;
}

std::optional<std::string> ClientRegistry::clientOf(const std::string& token) {
    std::lock_guard lock(m_mutex);
    std::error_code ec;
    const auto changed = std::filesystem::last_write_time(m_file, ec);
    if (ec) {
        m_entries.clear();
    } else if (changed != m_readAt) {
        auto entries = read();
        m_entries = entries.ok() ? std::move(*entries) : std::vector<Entry>{};  // a broken file admits nobody
        m_readAt = changed;
    }
    if (token.empty()) return std::nullopt;
    const auto hash = hashOf(token);
    for (const auto& e : m_entries)
        if (e.tokenSha256 == hash) return e.name;
    return std::nullopt;
}

Result<std::vector<std::string>> ClientRegistry::names() {
    std::lock_guard lock(m_mutex);
    auto entries = read();
    if (!entries.ok()) return entries.error();
    std::vector<std::string> out;
    for (const auto& e : *entries) out.push_back(e.name);
    return out;
}

}  // namespace egmf::remote
