#include "bpe_model.h"

#include <cstdio>
#include <queue>

#include "unicode_ops.h"

namespace egmf::tokenizer {
namespace {

std::string pairKey(std::string_view left, std::string_view right) {
    std::string key;
    key.reserve(left.size() + right.size() + 1);
    key.append(left);
    key.push_back('\xFF');
    key.append(right);
    return key;
}

}  // namespace

BpeModel::BpeModel(std::unordered_map<std::string, std::int32_t> vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                   BpeOptions options)
    : m_vocab(std::move(vocab)), m_options(std::move(options)) {
    m_ranks.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) {
        m_ranks.emplace(pairKey(merges[i].first, merges[i].second), static_cast<int>(i));  // first wins
    }
    for (int byte = 0; byte < 256; ++byte) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", byte);
        const auto found = m_vocab.find(name);
        m_byteIds[byte] = found == m_vocab.end() ? -1 : found->second;
    }
}

std::optional<int> BpeModel::rank(std::string_view left, std::string_view right) const {
    const auto found = m_ranks.find(pairKey(left, right));
    return found == m_ranks.end() ? std::nullopt : std::optional<int>(found->second);
}

void BpeModel::encode(const std::vector<std::string>& words, std::vector<std::int32_t>& ids) const {
    const std::size_t first = ids.size();
    for (const auto& word : words) {
        encodeWord(word, ids);
    }
    if (m_options.fuseUnk && m_options.unkId) {
        std::size_t out = first;
        for (std::size_t i = first; i < ids.size(); ++i) {
            if (ids[i] == *m_options.unkId && out > first && ids[out - 1] == *m_options.unkId) continue;
            ids[out++] = ids[i];
        }
        ids.resize(out);
    }
}

void BpeModel::encodeWord(std::string_view word, std::vector<std::int32_t>& ids) const {
    if (word.empty()) return;
    if (m_options.ignoreMerges) {
        if (const auto found = m_vocab.find(std::string(word)); found != m_vocab.end()) {
            ids.push_back(found->second);
            return;
        }
    }
    // A doubly linked list of symbols; merged ones keep the left symbol's slot.
    struct Symbol {
        std::string text;
        int prev, next;
        unsigned version = 0;
    };
    std::vector<Symbol> symbols;
    for (auto point : unicode::codePoints(word)) {
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({std::string(point), index - 1, index + 1});
    }
    symbols.back().next = -1;
    if (!m_options.endOfWordSuffix.empty()) symbols.back().text += m_options.endOfWordSuffix;

    struct Candidate {
        int rank, left;
        unsigned leftVersion, rightVersion;
        bool operator>(const Candidate& other) const { return rank != other.rank ? rank > other.rank : left > other.left; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
    auto consider = [&](int left) {
        if (left < 0 || symbols[left].next < 0) return;
        const auto& right = symbols[symbols[left].next];
        if (auto r = rank(symbols[left].text, right.text)) {
            queue.push({*r, left, symbols[left].version, right.version});
        }
    };
    for (int i = 0; i + 1 < static_cast<int>(symbols.size()); ++i) consider(i);
    while (!queue.empty()) {
        const auto top = queue.top();
        queue.pop();
        auto& left = symbols[top.left];
        if (left.version != top.leftVersion || left.next < 0) continue;
        auto& right = symbols[left.next];
        if (right.version != top.rightVersion) continue;
        left.text += right.text;
        ++left.version;   // pairs queued with the old left are stale now
        ++right.version;  // and so are those with the merged-away right (it is unlinked below)
        right.text.clear();
        left.next = right.next;
        if (left.next >= 0) symbols[left.next].prev = top.left;
        consider(left.prev);
        consider(top.left);
    }
    for (int i = 0; i >= 0; i = symbols[i].next) {
        const auto& text = symbols[i].text;
        if (const auto found = m_vocab.find(text); found != m_vocab.end()) {
            ids.push_back(found->second);
            continue;
        }
        bool bytesKnown = m_options.byteFallback;
        for (unsigned char byte : text) bytesKnown = bytesKnown && m_byteIds[byte] >= 0;
        if (bytesKnown) {
            for (unsigned char byte : text) ids.push_back(m_byteIds[byte]);
        } else if (m_options.unkId) {
            ids.push_back(*m_options.unkId);
        }
    }
}

}  // namespace egmf::tokenizer
