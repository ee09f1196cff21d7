#include "egmf/app/gguf_writer.h"

#include <fstream>

namespace egmf::checkpoint {
namespace {

// gguf_type and ggml_type numbers (ggml/include/gguf.h, ggml.h).
enum GgufType : std::uint32_t { kUint32 = 4, kFloat32 = 6, kBool = 7, kString = 8 };
constexpr std::uint32_t kGgmlF32 = 0;

class Out {
public:
    explicit Out(std::ofstream& file) : m_file(file) {}
    template <typename T>
    void raw(const T& value) {
        m_file.write(reinterpret_cast<const char*>(&value), sizeof(T));  // GGUF is little-endian, as x86 and ARM are
    }
    void string(const std::string& text) {
        raw<std::uint64_t>(text.size());
        m_file.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    void padTo(std::uint64_t alignment) {
        const auto at = static_cast<std::uint64_t>(m_file.tellp());
        for (auto i = at; i % alignment != 0; ++i) m_file.put('\0');
    }

private:
    std::ofstream& m_file;
};

std::uint64_t aligned(std::uint64_t offset) {
    return (offset + GgufWriter::kAlignment - 1) / GgufWriter::kAlignment * GgufWriter::kAlignment;
}

}  // namespace

void GgufWriter::addTensor(const std::string& name, std::vector<std::int64_t> shape, std::span<const float> data) {
    m_tensors.push_back({name, std::move(shape), data});
}

Result<void> GgufWriter::write(const std::filesystem::path& path) const {
    for (const auto& tensor : m_tensors) {
        std::int64_t count = 1;
        for (auto size : tensor.shape) count *= size;
        if (tensor.shape.empty() || tensor.shape.size() > 4 || count != static_cast<std::int64_t>(tensor.data.size())) {
            return makeError(ErrorCode::InvalidArgument, path.string() + ": tensor " + tensor.name + " has " +
                                                             std::to_string(tensor.data.size()) +
                                                             " values, not its shape's (GGUF holds 1 to 4 dimensions)");
        }
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) return makeError(ErrorCode::Io, path.string() + ": cannot write; check the folder and the disk");
    Out out(file);
    file.write("GGUF", 4);
    out.raw<std::uint32_t>(3);
    out.raw<std::uint64_t>(m_tensors.size());
    out.raw<std::uint64_t>(m_values.size());
    for (const auto& [key, value] : m_values) {
        out.string(key);
        if (const auto* u = std::get_if<std::uint32_t>(&value)) {
            out.raw<std::uint32_t>(kUint32), out.raw(*u);
        } else if (const auto* f = std::get_if<float>(&value)) {
            out.raw<std::uint32_t>(kFloat32), out.raw(*f);
        } else if (const auto* b = std::get_if<bool>(&value)) {
            out.raw<std::uint32_t>(kBool), out.raw<std::uint8_t>(*b ? 1 : 0);
        } else {
            out.raw<std::uint32_t>(kString), out.string(std::get<std::string>(value));
        }
    }
    std::uint64_t offset = 0;
    for (const auto& tensor : m_tensors) {
        out.string(tensor.name);
        out.raw<std::uint32_t>(static_cast<std::uint32_t>(tensor.shape.size()));
        for (auto dim = tensor.shape.rbegin(); dim != tensor.shape.rend(); ++dim) out.raw<std::uint64_t>(static_cast<std::uint64_t>(*dim));
        out.raw<std::uint32_t>(kGgmlF32);
        out.raw<std::uint64_t>(offset);
        offset = aligned(offset + tensor.data.size_bytes());
    }
    out.padTo(kAlignment);
    for (const auto& tensor : m_tensors) {
        file.write(reinterpret_cast<const char*>(tensor.data.data()), static_cast<std::streamsize>(tensor.data.size_bytes()));
        out.padTo(kAlignment);
    }
    file.close();
    if (!file) return makeError(ErrorCode::Io, path.string() + ": writing failed; check the disk");
    return {};
}

}  // namespace egmf::checkpoint
