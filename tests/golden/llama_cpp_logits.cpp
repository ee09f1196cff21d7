// llama.cpp as a reference for the engine's LLM path: runs a GGUF file on a list of token ids and
// writes the float32 logits after every position. Built at test time by
// tests/golden/llama_cpp_reference.sh against the headers and CPU libraries of the pinned npm
// package @node-llama-cpp/linux-x64 (a prebuilt llama.cpp), so it is llama.cpp's own code that
// computes, not ours.
//   llama_cpp_logits MODEL.gguf LIBRARY_DIR IDS.txt OUT.f32 THREADS
// IDS.txt: token ids separated by spaces. OUT.f32: [tokens, vocab] float32, row after row.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "ggml-backend.h"
#include "llama.h"

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s MODEL.gguf LIBRARY_DIR IDS.txt OUT.f32 THREADS\n", argv[0]);
        return 2;
    }
    std::vector<llama_token> ids;
    std::ifstream in(argv[3]);
    for (llama_token id; in >> id;) ids.push_back(id);
    if (ids.empty()) {
        std::fprintf(stderr, "%s: no token ids\n", argv[3]);
        return 2;
    }
    const int threads = std::atoi(argv[5]);
    ggml_backend_load_all_from_path(argv[2]);  // the CPU backend variants live beside libllama
    llama_backend_init();
    auto modelParams = llama_model_default_params();
    modelParams.n_gpu_layers = 0;
    llama_model* model = llama_model_load_from_file(argv[1], modelParams);
    if (!model) {
        std::fprintf(stderr, "%s: llama.cpp cannot load it\n", argv[1]);
        return 1;
    }
    auto contextParams = llama_context_default_params();
    const auto count = static_cast<std::uint32_t>(ids.size());
    contextParams.n_ctx = count < 256 ? 256 : count;
    contextParams.n_batch = contextParams.n_ubatch = contextParams.n_ctx;
    contextParams.n_threads = contextParams.n_threads_batch = threads;
    contextParams.type_k = contextParams.type_v = GGML_TYPE_F32;  // the default f16 cache would round keys and values
    contextParams.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    llama_context* context = llama_init_from_model(model, contextParams);
    if (!context) {
        std::fprintf(stderr, "%s: llama.cpp cannot make a context for it\n", argv[1]);
        return 1;
    }
    llama_batch batch = llama_batch_init(static_cast<std::int32_t>(count), 0, 1);
    for (std::uint32_t i = 0; i < count; ++i) {
        batch.token[i] = ids[i];
        batch.pos[i] = static_cast<llama_pos>(i);
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;
    }
    batch.n_tokens = static_cast<std::int32_t>(count);
    if (llama_decode(context, batch) != 0) {
        std::fprintf(stderr, "%s: llama_decode failed\n", argv[1]);
        return 1;
    }
    const int vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    std::ofstream out(argv[4], std::ios::binary);
    for (std::uint32_t i = 0; i < count; ++i) {
        out.write(reinterpret_cast<const char*>(llama_get_logits_ith(context, static_cast<std::int32_t>(i))),
                  static_cast<std::streamsize>(sizeof(float) * vocab));
    }
    llama_batch_free(batch);
    llama_free(context);
    llama_model_free(model);
    llama_backend_free();
    return out ? 0 : 1;
}
