#include "weights.h"

#include "weight_conversion.h"

#include <cstring>
#include <set>

namespace egmf::loading {
namespace {

constexpr std::string_view kLlmPrefix = "llm.";
constexpr std::string_view kLoraPrefix = "lora.";

bool isAdapter(const std::string& name) {
    return name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos;
}

at::ScalarType scalarType(DType dtype) {
    switch (dtype) {
        case DType::F32:
            return at::kFloat;
        case DType::F16:
            return at::kHalf;
        case DType::BF16:
            return at::kBFloat16;
        case DType::I64:
            return at::kLong;
        case DType::I32:
            return at::kInt;
        case DType::U8:
            return at::kByte;
        case DType::BOOL:
            return at::kBool;
    }
    return at::kFloat;
}

Result<DType> fileDType(at::ScalarType type, const std::string& name) {
    switch (type) {
        case at::kFloat:
            return DType::F32;
        case at::kHalf:
            return DType::F16;
        case at::kBFloat16:
            return DType::BF16;
        case at::kLong:
            return DType::I64;
        case at::kInt:
            return DType::I32;
        case at::kByte:
            return DType::U8;
        case at::kBool:
            return DType::BOOL;
        default:
            return makeError(ErrorCode::Unsupported, "tensor \"" + name + "\" has a dtype safetensors files here cannot hold");
    }
}

std::string shapeText(at::IntArrayRef shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
}

std::string listed(const std::vector<std::string>& names) {
    constexpr std::size_t kShown = 12;
    std::string text;
    for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
        text += "\n    " + names[i];
    }
    if (names.size() > kShown) {
        text += "\n    ... and " + std::to_string(names.size() - kShown) + " more";
    }
    return text;
}

}  // namespace

std::string checkpointKey(const std::string& name) {
    if (isAdapter(name) && name.starts_with(kLlmPrefix)) {
        return std::string(kLoraPrefix) + name.substr(kLlmPrefix.size());
    }
    return name;
}

std::string parameterName(const std::string& key) {
    if (isAdapter(key) && key.starts_with(kLoraPrefix)) {
        return std::string(kLlmPrefix) + key.substr(kLoraPrefix.size());
    }
    return key;
}

at::Tensor toTensor(const TensorEntry& entry) {
    auto tensor = at::empty(entry.shape, at::TensorOptions().dtype(scalarType(entry.dtype)));
    if (entry.byteSize() > 0) {
        // A copy, not from_blob: the mapping may not be aligned for the dtype.
        std::memcpy(tensor.data_ptr(), entry.bytes.data(), entry.byteSize());
    }
    return tensor;
}

namespace {

std::string mismatchMessage(const std::string& sourceName, const std::vector<std::string>& missing,
                            const std::vector<std::string>& unexpected, const std::vector<std::string>& wrongShape) {
    std::string message = sourceName + ": the weights do not fit the model the manifest describes";
    if (!missing.empty()) {
        message += "\n  missing keys (" + std::to_string(missing.size()) + "):" + listed(missing);
    }
    if (!unexpected.empty()) {
        message += "\n  unexpected keys (" + std::to_string(unexpected.size()) + "):" + listed(unexpected);
    }
    if (!wrongShape.empty()) {
        message += "\n  wrong shapes (" + std::to_string(wrongShape.size()) + "):" + listed(wrongShape);
    }
    return message +
           "\n  check that manifest.json and the weights come from the same export "
           "(docs/checkpoint.md lists every key)";
}

/// `entry` as a tensor with `target`'s dtype and device, copied at most once (see loadMapped).
at::Tensor mappedTensor(const TensorEntry& entry, const std::shared_ptr<void>& keepAlive, const at::TensorOptions& target) {
    const auto type = scalarType(entry.dtype);
    if (entry.dtype == DType::BF16 && target.dtype() == at::kFloat) {
        return bfloat16ToFloat(entry).to(target.device());
    }
    const auto address = reinterpret_cast<std::uintptr_t>(entry.bytes.data());
    at::Tensor source;
    if (entry.byteSize() > 0 && address % dtypeSize(entry.dtype) == 0) {
        source = at::from_blob(
            const_cast<std::byte*>(entry.bytes.data()), entry.shape, [keepAlive](void*) {}, at::TensorOptions().dtype(type));
    } else {
        source = toTensor(entry);
    }
    return source.to(target.device(), target.dtype());  // the same tensor when nothing changes
}

}  // namespace

namespace {

Error cancelledLoad(const std::string& sourceName) {
    return makeError(ErrorCode::Cancelled, sourceName + ": the load was cancelled");
}

}  // namespace

Result<void> loadStrict(torch::nn::Module& module, const SafetensorsFile& file, const std::string& sourceName, const LoadControl& control) {
    auto parameters = module.named_parameters(true);
    std::vector<std::string> missing, unexpected, wrongShape;
    std::set<std::string> expected;
    for (const auto& item : parameters) {
        const auto key = checkpointKey(item.key());
        expected.insert(key);
        const auto* entry = file.find(key);
        if (!entry) {
            missing.push_back(key);
        } else if (at::IntArrayRef(entry->shape) != item.value().sizes()) {
            wrongShape.push_back(key + ": file " + shapeText(entry->shape) + ", model " + shapeText(item.value().sizes()));
        }
    }
    for (const auto& entry : file.tensors()) {
        if (!expected.count(entry.name)) {
            unexpected.push_back(entry.name);
        }
    }
    if (!missing.empty() || !unexpected.empty() || !wrongShape.empty()) {
        return makeError(ErrorCode::Mismatch, mismatchMessage(sourceName, missing, unexpected, wrongShape));
    }
    at::NoGradGuard noGrad;
    std::size_t done = 0;
    for (auto& item : parameters) {
        if (control.cancelled()) return cancelledLoad(sourceName);
        item.value().copy_(toTensor(*file.find(checkpointKey(item.key()))));
        if (control.progress) control.progress(static_cast<double>(++done) / static_cast<double>(parameters.size()));
    }
    return {};
}

Result<void> loadMapped(torch::nn::Module& module, const std::map<std::string, const TensorEntry*>& tensors,
                        const std::vector<SafetensorsFile>& files, const std::vector<ExpectedTensor>& expected,
                        const std::function<bool(const std::string& key)>& wanted, const std::string& sourceName,
                        const LoadControl& control) {
    std::vector<std::string> missing, unexpected, wrongShape;
    std::set<std::string> expectedKeys;
    std::uint64_t totalBytes = 0;
    for (const auto& e : expected) {
        if (!wanted(e.key)) continue;
        expectedKeys.insert(e.key);
        const auto found = tensors.find(e.key);
        if (found == tensors.end()) {
            missing.push_back(e.key);
        } else if (found->second->shape != e.shape) {
            wrongShape.push_back(e.key + ": file " + shapeText(found->second->shape) + ", model " + shapeText(e.shape));
        } else if (found->second->dtype != DType::F32 && found->second->dtype != DType::F16 && found->second->dtype != DType::BF16) {
            wrongShape.push_back(e.key + ": " + std::string(dtypeName(found->second->dtype)) + ", not a floating type");
        } else {
            totalBytes += found->second->byteSize();
        }
    }
    for (const auto& [key, entry] : tensors) {
        if (wanted(key) && !expectedKeys.count(key)) unexpected.push_back(key);
    }
    if (!missing.empty() || !unexpected.empty() || !wrongShape.empty()) {
        return makeError(ErrorCode::Mismatch, mismatchMessage(sourceName, missing, unexpected, wrongShape));
    }
    auto mappings = std::make_shared<std::vector<std::shared_ptr<checkpoint::MappedFile>>>();
    for (const auto& file : files) mappings->push_back(file.mapping());
    const std::shared_ptr<void> keepAlive = mappings;
    std::uint64_t doneBytes = 0;
    at::NoGradGuard noGrad;
    for (auto& item : module.named_parameters(true)) {
        const auto key = checkpointKey(item.key());
        if (!wanted(key)) continue;
        if (control.cancelled()) return cancelledLoad(sourceName);
        const auto found = tensors.find(key);
        if (found == tensors.end()) {
            return makeError(ErrorCode::Internal,
                             sourceName + ": the model has " + key + ", which the manifest's table lacks; please report this");
        }
        item.value().set_data(mappedTensor(*found->second, keepAlive, item.value().options()));
        doneBytes += found->second->byteSize();
        if (control.progress && totalBytes > 0) control.progress(static_cast<double>(doneBytes) / static_cast<double>(totalBytes));
    }
    return {};
}

Result<void> saveTensors(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors,
                         const std::map<std::string, std::string>& metadata) {
    std::vector<at::Tensor> keepAlive;
    std::vector<TensorToWrite> entries;
    for (const auto& [name, tensor] : tensors) {
        auto dtype = fileDType(tensor.scalar_type(), name);
        if (!dtype) {
            return dtype.error();
        }
        auto cpu = tensor.detach().to(at::kCPU).contiguous();
        keepAlive.push_back(cpu);
        const auto* data = static_cast<const std::byte*>(cpu.data_ptr());
        entries.push_back({name, *dtype, cpu.sizes().vec(), {data, static_cast<std::size_t>(cpu.nbytes())}});
    }
    return writeSafetensors(path, std::move(entries), metadata);
}

Result<void> saveModule(const torch::nn::Module& module, const std::filesystem::path& path,
                        const std::map<std::string, std::string>& metadata, const std::function<bool(const std::string& key)>& keep) {
    std::map<std::string, at::Tensor> tensors;
    for (const auto& item : module.named_parameters(true)) {
        const auto key = checkpointKey(item.key());
        if (!keep || keep(key)) tensors[key] = item.value();
    }
    return saveTensors(path, tensors, metadata);
}

Result<std::map<std::string, at::Tensor>> loadTensors(const std::filesystem::path& path) {
    auto file = SafetensorsFile::open(path);
    if (!file) {
        return file.error();
    }
    std::map<std::string, at::Tensor> tensors;
    for (const auto& entry : file->tensors()) {
        tensors[entry.name] = toTensor(entry);
    }
    return tensors;
}

}  // namespace egmf::loading
