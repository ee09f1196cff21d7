#include "tfjs_weights.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strict_json.h"

namespace egmf::checkpoint {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxElements = std::int64_t{1} << 28;  // 1 GiB of float32

struct Spec {
    std::string name;
    std::vector<std::int64_t> shape;
    std::int64_t elements = 1;
    int bytesPerElement = 4;  // float32, or the quantised width
    bool quantised = false;
    double scale = 1.0, min = 0.0;
};

Error corrupt(const std::string& source, const std::string& what) {
    return makeError(ErrorCode::Corrupt, source + ": " + what +
                                             "; it is not a TensorFlow.js weights manifest this "
                                             "engine reads (re-download the model files)");
}

Result<Spec> parseSpec(const json& entry, const std::string& source) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("shape") ||
        !entry["shape"].is_array()) {
        return corrupt(source, "a weight entry lacks a name or a shape");
    }
    Spec spec;
    spec.name = entry["name"].get<std::string>();
    if (entry["shape"].size() > 8) {
        return corrupt(source, spec.name + " has more than 8 dimensions");
    }
    for (const auto& dim : entry["shape"]) {
        if (!dim.is_number_integer() || dim.get<std::int64_t>() < 0 || dim.get<std::int64_t>() > kMaxElements) {
            return corrupt(source, spec.name + " has a dimension that is not a small non-negative integer");
        }
        spec.shape.push_back(dim.get<std::int64_t>());
        spec.elements *= spec.shape.back();
        if (spec.elements > kMaxElements) {
            return corrupt(source, spec.name + " is implausibly large");
        }
    }
    if (entry.value("dtype", std::string()) != "float32") {
        return makeError(ErrorCode::Unsupported, source + ": " + spec.name + " has dtype " + entry.value("dtype", std::string("(none)")) +
                                                     "; only float32 weights (optionally quantised) are read");
    }
    if (entry.contains("quantization")) {
        const auto& q = entry["quantization"];
        const auto dtype = q.is_object() ? q.value("dtype", std::string()) : std::string();
        if (dtype != "uint8" && dtype != "uint16") {
            return makeError(ErrorCode::Unsupported,
                             source + ": " + spec.name + " uses a quantisation other than uint8/uint16 (" + dtype + ")");
        }
        if (!q.contains("scale") || !q["scale"].is_number() || !q.contains("min") || !q["min"].is_number()) {
            return corrupt(source, spec.name + " is quantised without a numeric scale and min");
        }
        spec.quantised = true;
        spec.bytesPerElement = dtype == "uint8" ? 1 : 2;
        spec.scale = q["scale"].get<double>();
        spec.min = q["min"].get<double>();
    }
    return spec;
}

TfjsWeight decode(const Spec& spec, const std::uint8_t* bytes) {
    TfjsWeight weight{spec.name, spec.shape, std::vector<float>(static_cast<std::size_t>(spec.elements))};
    for (std::int64_t i = 0; i < spec.elements; ++i) {
        if (!spec.quantised) {
            std::memcpy(&weight.values[i], bytes + 4 * i, 4);  // little-endian, as TF.js writes it
        } else {
            const double q = spec.bytesPerElement == 1 ? bytes[i] : bytes[2 * i] | bytes[2 * i + 1] << 8;
            // As TF.js's decodeWeights: in double (a JS number), rounded once into a Float32Array.
            weight.values[i] = static_cast<float>(q * spec.scale + spec.min);
        }
    }
    return weight;
}

Result<std::vector<Spec>> parseGroups(const json& manifest, const std::string& source, std::vector<std::string>* shardNames);

/// A field of the wrong JSON type throws from nlohmann's accessors: that is a corrupt manifest.
Result<std::vector<Spec>> parseManifest(const json& manifest, const std::string& source, std::vector<std::string>* shardNames) {
    try {
        return parseGroups(manifest, source, shardNames);
    } catch (const json::exception& error) {
        return corrupt(source, std::string("a field has the wrong type (") + error.what() + ")");
    }
}

Result<std::vector<Spec>> parseGroups(const json& manifest, const std::string& source, std::vector<std::string>* shardNames) {
    if (!manifest.is_array() || manifest.empty()) {
        return corrupt(source, "the top level is not a non-empty array of weight groups");
    }
    std::vector<Spec> specs;
    for (const auto& group : manifest) {
        if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array() || !group.contains("weights") ||
            !group["weights"].is_array()) {
            return corrupt(source, "a weight group lacks 'paths' or 'weights'");
        }
        for (const auto& path : group["paths"]) {
            if (!path.is_string() || path.get<std::string>().empty() || path.get<std::string>().find('/') != std::string::npos ||
                path.get<std::string>() == "..") {
                return corrupt(source, "a shard path is not a plain file name beside the manifest");
            }
            shardNames->push_back(path.get<std::string>());
        }
        for (const auto& entry : group["weights"]) {
            auto spec = parseSpec(entry, source);
            if (!spec.ok()) {
                return spec.error();
            }
            specs.push_back(std::move(*spec));
        }
    }
    return specs;
}

/// The weights the specs describe, in order, from the shards' bytes (which they must cover exactly).
Result<std::vector<TfjsWeight>> decodeAll(const std::vector<Spec>& specs, const std::vector<std::uint8_t>& shards,
                                          const std::string& source) {
    std::int64_t needed = 0;
    for (const auto& spec : specs) {
        needed += spec.elements * spec.bytesPerElement;
    }
    if (needed != static_cast<std::int64_t>(shards.size())) {
        return corrupt(source, "the manifest describes " + std::to_string(needed) +
                                   " bytes of weights but the "
                                   "shards hold " +
                                   std::to_string(shards.size()));
    }
    std::vector<TfjsWeight> weights;
    std::size_t offset = 0;
    for (const auto& spec : specs) {
        weights.push_back(decode(spec, shards.data() + offset));
        offset += static_cast<std::size_t>(spec.elements * spec.bytesPerElement);
    }
    return weights;
}

}  // namespace

Result<std::vector<TfjsWeight>> parseTfjsWeights(const std::string& manifestText, const std::vector<std::uint8_t>& shards,
                                                 const std::string& sourceName) {
    auto manifest = parseStrictJson(manifestText, sourceName);
    if (!manifest.ok()) {
        return manifest.error();
    }
    std::vector<std::string> shardNames;
    auto specs = parseManifest(*manifest, sourceName, &shardNames);
    if (!specs.ok()) {
        return specs.error();
    }
    return decodeAll(*specs, shards, sourceName);
}

Result<std::vector<TfjsWeight>> readTfjsWeights(const std::filesystem::path& manifestFile) {
    const auto source = manifestFile.string();
    std::ifstream in(manifestFile);
    if (!in) {
        return makeError(ErrorCode::NotFound, source + ": cannot open the weights manifest");
    }
    std::stringstream text;
    text << in.rdbuf();
    auto manifest = parseStrictJson(text.str(), source);
    if (!manifest.ok()) {
        return manifest.error();
    }
    std::vector<std::string> shardNames;
    auto specs = parseManifest(*manifest, source, &shardNames);
    if (!specs.ok()) {
        return specs.error();
    }
    std::vector<std::uint8_t> shards;
    for (const auto& name : shardNames) {
        const auto shard = manifestFile.parent_path() / name;
        std::error_code ec;
        const auto size = std::filesystem::file_size(shard, ec);
        if (ec || size > (std::uint64_t{1} << 32)) {
            return makeError(ErrorCode::NotFound, shard.string() + ": missing or unreadable weight shard named by " + source);
        }
        std::ifstream data(shard, std::ios::binary);
        const auto start = shards.size();
        shards.resize(start + size);
        if (!data.read(reinterpret_cast<char*>(shards.data() + start), static_cast<std::streamsize>(size))) {
            return makeError(ErrorCode::Io, shard.string() + ": read failed");
        }
    }
    return decodeAll(*specs, shards, source);
}

}  // namespace egmf::checkpoint
