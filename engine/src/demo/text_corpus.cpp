#include "egmf/app/text_corpus.h"

#include <fstream>
#include <string>

namespace egmf::demo {

Result<void> writeTextCorpus(const std::filesystem::path& folder, int trainDialogues, int otherDialogues) {
    const char* lines[][2] = {{"We won the tickets!", "joy"},       {"I miss her every day.", "sadness"},
                              {"You lied to me again!", "anger"},   {"The train gets in at six.", "neutral"},
                              {"Ugh, hair in my soup.", "disgust"}, {"Since when do you sing?", "surprise"},
                              {"Someone is following us.", "fear"}};
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    for (const char* split : {"train", "dev", "test"}) {
        const auto file = folder / (std::string(split) + "_sent_emo.csv");
        std::ofstream csv(file, std::ios::binary);
        csv << "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\r\n";
        const int dialogues = std::string(split) == "train" ? trainDialogues : otherDialogues;
        for (int d = 0, n = 1; d < dialogues; ++d) {
            for (int u = 0; u < 5; ++u, ++n) {
                const auto& line = lines[(d * 5 + u * 3) % 7];
                csv << n << ",\"" << line[0] << "\"," << (u % 2 ? "Maya" : "Theo") << ',' << line[1] << ",neutral," << d << ',' << u
                    << ",1,1,\"00:00:01,000\",\"00:00:02,000\"\r\n";
            }
        }
        if (!csv) return makeError(ErrorCode::Io, file.string() + ": cannot write; choose another folder");
    }
    std::ofstream config(folder / "config.json");
    config << R"({"dialogues_per_step": 4, "vocab_size": 300})";
    if (!config) return makeError(ErrorCode::Io, (folder / "config.json").string() + ": cannot write; choose another folder");
    return {};
}

}  // namespace egmf::demo
