#include "pooling.h"

namespace egmf::model {

UtterancePoolImpl::UtterancePoolImpl(std::int64_t dim, std::string mode) : m_mode(std::move(mode)) {
    if (m_mode == "attention") score = register_module("score", torch::nn::Linear(dim, 1));
}

Tensor UtterancePoolImpl::forward(const Tensor& positions, const ModalitySpans& spans) {
    if (m_mode == "attention") {
        const auto weights = at::softmax(score->forward(positions).squeeze(1), 0);
        return at::matmul(weights, positions);
    }
    if (m_mode == "modality_mean") {
        std::vector<Tensor> means;
        std::int64_t start = 0;
        for (auto length : spans) {
            means.push_back(length > 0 ? positions.slice(0, start, start + length).mean(0)
                                       : at::zeros({positions.size(1)}, positions.options()));
            start += length;
        }
        return at::cat(means, 0);
    }
    return positions.mean(0);
}

}  // namespace egmf::model
