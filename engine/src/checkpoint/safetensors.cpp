#include "egmf/app/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/strict_json.h"

namespace egmf::checkpoint {
namespace {

using nlohmann::json;

struct DTypeInfo {
    DType dtype;
    std::string_view name;
    std::size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8},
    {DType::I32, "I32", 4}, {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

Error corrupt(const std::string& source, const std::string& what) {
    return makeError(ErrorCode::Corrupt, source + ": " + what +
                                             "; the safetensors file is damaged or was not "
                                             "written by a safetensors writer, re-export it");
}

Result<TensorEntry> parseEntry(const std::string& name, const json& value, const std::string& source) {
    const std::string where = "tensor \"" + name + "\"";
    if (name.find('\0') != std::string::npos) {
        return corrupt(source, "a tensor name contains a NUL character");
    }
    if (!value.is_object()) {
        return corrupt(source, where + " is not an object");
    }
    for (const auto& [key, _] : value.items()) {
        if (key != "dtype" && key != "shape" && key != "data_offsets") {
            return corrupt(source, where + " has an unknown field \"" + key + "\"");
        }
    }
    auto dtypeIt = value.find("dtype");
    auto shapeIt = value.find("shape");
    auto offsetsIt = value.find("data_offsets");
    if (dtypeIt == value.end() || shapeIt == value.end() || offsetsIt == value.end()) {
        return corrupt(source, where + " lacks dtype, shape or data_offsets");
    }
    if (!dtypeIt->is_string()) {
        return corrupt(source, where + ": dtype is not a string");
    }
    TensorEntry entry;
    entry.name = name;
    const auto& dtypeText = dtypeIt->get_ref<const std::string&>();
    const auto* info = std::find_if(std::begin(kDTypes), std::end(kDTypes), [&](const DTypeInfo& d) { return d.name == dtypeText; });
    if (info == std::end(kDTypes)) {
        return makeError(ErrorCode::Unsupported, source + ": " + where + " has dtype \"" + dtypeText +
                                                     "\", which this build does not read (F32, F16, BF16, I64, I32, U8, "
                                                     "BOOL); convert the checkpoint");
    }
    entry.dtype = info->dtype;

    if (!shapeIt->is_array() || shapeIt->size() > 16) {
        return corrupt(source, where + ": shape is not an array of at most 16 sizes");
    }
    std::uint64_t bytes = info->size;
    for (const auto& dim : *shapeIt) {
        if (!dim.is_number_unsigned()) {
            return corrupt(source, where + ": shape holds something other than a size");
        }
        const auto size = dim.get<std::uint64_t>();
        if (size > static_cast<std::uint64_t>(INT64_MAX) || __builtin_mul_overflow(bytes, size, &bytes)) {
            return corrupt(source, where + ": its shape overflows any possible size");
        }
        entry.shape.push_back(static_cast<std::int64_t>(size));
    }
    if (!offsetsIt->is_array() || offsetsIt->size() != 2 || !(*offsetsIt)[0].is_number_unsigned() ||
        !(*offsetsIt)[1].is_number_unsigned()) {
        return corrupt(source, where + ": data_offsets is not [begin, end]");
    }
    entry.begin = (*offsetsIt)[0].get<std::uint64_t>();
    entry.end = (*offsetsIt)[1].get<std::uint64_t>();
    if (entry.end < entry.begin) {
        return corrupt(source, where + ": data_offsets end before they begin");
    }
    if (entry.end - entry.begin != bytes) {
        return corrupt(source, where + ": " + std::string(info->name) + " x shape needs " + std::to_string(bytes) +
                                   " bytes but data_offsets span " + std::to_string(entry.end - entry.begin));
    }
    return entry;
}

}  // namespace

std::size_t dtypeSize(DType dtype) {
    for (const auto& info : kDTypes) {
        if (info.dtype == dtype) {
            return info.size;
        }
    }
    return 0;
}

std::string_view dtypeName(DType dtype) {
    for (const auto& info : kDTypes) {
        if (info.dtype == dtype) {
            return info.name;
        }
    }
    return "?";
}

Result<SafetensorsHeader> parseSafetensors(std::span<const std::byte> file, const std::string& source) {
    if (file.size() < 8) {
        return corrupt(source, "the file is shorter than the 8-byte header length");
    }
    std::uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i) {
        headerLength = (headerLength << 8) | static_cast<std::uint8_t>(file[i]);
    }
    if (headerLength > kMaxHeaderBytes) {
        return corrupt(source, "the header claims " + std::to_string(headerLength) + " bytes, more than the 100 MB limit");
    }
    if (headerLength > file.size() - 8) {
        return corrupt(source, "the header claims " + std::to_string(headerLength) + " bytes but the file has only " +
                                   std::to_string(file.size() - 8) + " after the length");
    }
    const std::string_view headerText(reinterpret_cast<const char*>(file.data()) + 8, headerLength);
    auto header = parseStrictJson(headerText, source + " (header)");
    if (!header) {
        return header.error();
    }
    if (!header->is_object()) {
        return corrupt(source, "the header is not a JSON object");
    }

    SafetensorsHeader result;
    result.dataOffset = 8 + headerLength;
    for (const auto& [name, value] : header->items()) {
        if (name == "__metadata__") {
            if (!value.is_object()) {
                return corrupt(source, "__metadata__ is not an object");
            }
            for (const auto& [key, text] : value.items()) {
                if (!text.is_string()) {
                    return corrupt(source, "__metadata__ value of \"" + key + "\" is not a string");
                }
                result.metadata[key] = text.get<std::string>();
            }
            continue;
        }
        auto entry = parseEntry(name, value, source);
        if (!entry) {
            return entry.error();
        }
        result.tensors.push_back(std::move(*entry));
    }

    std::sort(result.tensors.begin(), result.tensors.end(),
              [](const auto& a, const auto& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    const std::uint64_t dataSize = file.size() - result.dataOffset;
    std::uint64_t expected = 0;
    for (auto& entry : result.tensors) {
        if (entry.begin != expected) {
            return corrupt(source, "tensor \"" + entry.name + "\" starts at byte " + std::to_string(entry.begin) +
                                       " of the data, expected " + std::to_string(expected) + " (tensors overlap or leave a gap)");
        }
        expected = entry.end;
        if (expected > dataSize) {
            return corrupt(source, "tensor \"" + entry.name + "\" ends past the end of the file");
        }
        entry.bytes = file.subspan(result.dataOffset + entry.begin, entry.byteSize());
    }
    if (expected != dataSize) {
        return corrupt(source, "the tensors cover " + std::to_string(expected) + " bytes of a data section of " + std::to_string(dataSize));
    }
    return result;
}

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const auto code = errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io;
        return makeError(code, path.string() + ": cannot open (" + std::strerror(errno) + "); check the path and its permissions");
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return makeError(ErrorCode::Io, path.string() + ": not a regular file");
    }
    const auto size = static_cast<std::size_t>(info.st_size);
    const std::byte* data = nullptr;
    if (size > 0) {
        // Private and writable: pages are copied on write, so a tensor that aliases the mapping
        // (weights.h, loadMapped) may be trained in place and the file never changes.
        void* mapped = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (mapped == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            return makeError(ErrorCode::Io, path.string() + ": cannot map (" + std::strerror(err) + ")");
        }
        data = static_cast<const std::byte*>(mapped);
    }
    ::close(fd);
    return std::shared_ptr<MappedFile>(new MappedFile(data, size));
}

MappedFile::~MappedFile() {
    if (m_data) {
        ::munmap(const_cast<std::byte*>(m_data), m_size);
    }
}

Result<SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
    auto mapping = MappedFile::open(path);
    if (!mapping) {
        return mapping.error();
    }
    auto header = parseSafetensors((*mapping)->bytes(), path.string());
    if (!header) {
        return header.error();
    }
    SafetensorsFile file;
    file.m_mapping = std::move(*mapping);
    file.m_header = std::move(*header);
    for (std::size_t i = 0; i < file.m_header.tensors.size(); ++i) {
        file.m_index.emplace(file.m_header.tensors[i].name, i);
    }
    return file;
}

const TensorEntry* SafetensorsFile::find(std::string_view name) const {
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_header.tensors[it->second];
}

Result<void> writeSafetensors(const std::filesystem::path& path, std::vector<TensorToWrite> tensors,
                              const std::map<std::string, std::string>& metadata) {
    std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    json header = json::object();
    if (!metadata.empty()) {
        header["__metadata__"] = metadata;
    }
    std::uint64_t offset = 0;
    for (const auto& tensor : tensors) {
        std::uint64_t expected = dtypeSize(tensor.dtype);
        for (auto dim : tensor.shape) {
            expected *= static_cast<std::uint64_t>(dim);
        }
        if (expected != tensor.bytes.size()) {
            return makeError(ErrorCode::InvalidArgument,
                             path.string() + ": tensor \"" + tensor.name + "\" has a byte size that does not match its shape");
        }
        if (header.contains(tensor.name)) {
            return makeError(ErrorCode::InvalidArgument, path.string() + ": tensor \"" + tensor.name + "\" given twice");
        }
        header[tensor.name] = {{"dtype", dtypeName(tensor.dtype)}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + expected}}};
        offset += expected;
    }
    std::string headerText = header.dump();
    headerText.append((8 - headerText.size() % 8) % 8, ' ');

    auto temporary = path;
    temporary += ".partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) {
            return makeError(ErrorCode::Io, temporary.string() +
                                                ": cannot write; check the "
                                                "folder exists and is writable");
        }
        std::uint64_t length = headerText.size();
        char lengthBytes[8];
        for (int i = 0; i < 8; ++i) {
            lengthBytes[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
        }
        out.write(lengthBytes, 8);
        out.write(headerText.data(), static_cast<std::streamsize>(headerText.size()));
        for (const auto& tensor : tensors) {
            out.write(reinterpret_cast<const char*>(tensor.bytes.data()), static_cast<std::streamsize>(tensor.bytes.size()));
        }
        out.flush();
        if (!out) {
            return makeError(ErrorCode::Io, temporary.string() + ": write failed (disk full?)");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        return makeError(ErrorCode::Io, path.string() +
                                            ": cannot rename the finished file into "
                                            "place (" +
                                            ec.message() + ")");
    }
    return {};
}

}  // namespace egmf::checkpoint
