// The user's own clips with an optional .srt transcript (egmf/dataset.h): the SubRip reader and
// the mapping of cues to clips.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "egmf/dataset.h"

namespace egmf {
namespace fs = std::filesystem;
namespace {

std::string trim(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

/// "HH:MM:SS,mmm" (or with a '.'; the fraction may have 1-3 digits); negative when malformed.
double parseTime(const std::string& text) {
    int h = 0, m = 0, s = 0, fractionStart = 0, fractionEnd = 0;
    char sep = 0;
    unsigned fraction = 0;
    if (std::sscanf(text.c_str(), "%d:%d:%d%c%n%u%n", &h, &m, &s, &sep, &fractionStart, &fraction, &fractionEnd) != 5 ||
        (sep != ',' && sep != '.') || m < 0 || m > 59 || s < 0 || s > 59 || h < 0) {
        return -1;
    }
    const int digits = fractionEnd - fractionStart;
    if (digits < 1 || digits > 3 || fractionEnd != static_cast<int>(text.size())) return -1;
    return h * 3600.0 + m * 60.0 + s + fraction / std::pow(10.0, digits);
}

/// Removes <i>, </b>, {\\an8}-style formatting from a subtitle line.
std::string stripTags(const std::string& line) {
    std::string out;
    char closing = 0;
    for (char c : line) {
        if (closing) {
            if (c == closing) closing = 0;
            continue;
        }
        if (c == '<')
            closing = '>';
        else if (c == '{')
            closing = '}';
        else
            out += c;
    }
    return out;
}

/// "JOEY: How you doin'?" -> speaker JOEY. A colon late in the line (a time, a list) is text.
void splitSpeaker(SubtitleCue& cue) {
    const auto colon = cue.text.find(": ");
    if (colon == std::string::npos || colon == 0 || colon > 32) return;
    const auto name = cue.text.substr(0, colon);
    if (std::any_of(name.begin(), name.end(), [](char c) { return c == '.' || c == '?' || c == '!' || c == ','; })) return;
    cue.speaker = trim(name);
    cue.text = trim(cue.text.substr(colon + 2));
}

}  // namespace

Result<std::vector<SubtitleCue>> readSrt(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return makeError(ErrorCode::NotFound, file.string() + ": cannot open the transcript; check the path");
    std::vector<SubtitleCue> cues;
    std::string line;
    int number = 0;
    enum { Index, Times, Text } state = Index;
    SubtitleCue cue;
    const auto finish = [&] {
        if (state == Text) {
            cue.text = trim(cue.text);
            splitSpeaker(cue);
            cues.push_back(cue);
        }
        cue = {};
        state = Index;
    };
    while (std::getline(in, line)) {
        ++number;
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        line = trim(line);
        const auto where = file.string() + ":" + std::to_string(number);
        if (line.empty()) {
            finish();
            continue;
        }
        if (state == Index) {
            // The cue number; some files omit it and start with the times.
            if (line.find("-->") == std::string::npos) {
                state = Times;
                continue;
            }
            state = Times;
        }
        if (state == Times) {
            const auto arrow = line.find("-->");
            if (arrow == std::string::npos)
                return makeError(ErrorCode::Corrupt, where + ": expected \"start --> end\" times; is this an .srt file?");
            cue.startSec = parseTime(trim(line.substr(0, arrow)));
            // The end time, without any position hints after it ("X1:40 X2:600 ...").
            auto end = trim(line.substr(arrow + 3));
            end = end.substr(0, end.find_first_of(" \t"));
            cue.endSec = parseTime(end);
            if (cue.startSec < 0 || cue.endSec < 0) return makeError(ErrorCode::Corrupt, where + ": times must read HH:MM:SS,mmm");
            if (cue.endSec <= cue.startSec) return makeError(ErrorCode::Corrupt, where + ": the cue ends before it starts");
            state = Text;
            continue;
        }
        cue.text += (cue.text.empty() ? "" : " ") + stripTags(line);
    }
    finish();
    if (cues.empty()) return makeError(ErrorCode::Corrupt, file.string() + ": no subtitle cues found");
    return cues;
}

Result<Dataset> datasetFromClips(const std::vector<fs::path>& clips, const fs::path& srt) {
    if (clips.empty()) return makeError(ErrorCode::InvalidArgument, "no clips were given");
    Dataset dataset;
    dataset.kind = "clips";
    dataset.root = clips.front().parent_path();
    Dialogue dialogue;
    dialogue.id = clips.size() == 1 ? clips.front().stem().string() : "clips";
    const auto add = [&](const fs::path& clip, const SubtitleCue* cue, std::size_t index) {
        Utterance u;
        u.id = dialogue.id + "_utt" + std::to_string(index);
        u.clipPath = clip.string();
        if (cue) {
            u.speaker = cue->speaker;
            u.text = cue->text;
        }
        if (!fs::exists(clip)) {
            dataset.problems.push_back({DatasetProblem::Kind::MissingClip, clip.string(), "the clip does not exist; check the path"});
        }
        dialogue.utterances.push_back(std::move(u));
    };
    if (srt.empty()) {
        for (std::size_t i = 0; i < clips.size(); ++i) add(clips[i], nullptr, i);
    } else {
        auto cues = readSrt(srt);
        if (!cues) return cues.error();
        if (clips.size() == 1) {
            for (std::size_t i = 0; i < cues->size(); ++i) {
                add(clips.front(), &(*cues)[i], i);
                auto& u = dialogue.utterances.back();
                u.clipStartSec = (*cues)[i].startSec;
                u.clipEndSec = (*cues)[i].endSec;
                u.durationSec = u.clipEndSec - u.clipStartSec;
            }
        } else if (cues->size() == clips.size()) {
            for (std::size_t i = 0; i < clips.size(); ++i) add(clips[i], &(*cues)[i], i);
        } else {
            return makeError(ErrorCode::InvalidArgument, srt.string() + " has " + std::to_string(cues->size()) + " cues for " +
                                                             std::to_string(clips.size()) +
                                                             " clips: give one cue per clip, or one clip with the whole conversation");
        }
    }
    dataset.dialogues.push_back(std::move(dialogue));
    return dataset;
}

}  // namespace egmf
