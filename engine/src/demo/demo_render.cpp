#include "egmf/app/demo_render.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "demo_face.h"
#include "egmf/app/csv.h"
#include "egmf/app/process.h"

namespace egmf::demo {
namespace {

namespace fs = std::filesystem;
constexpr int kFps = 25;
constexpr double kLeadSeconds = 0.2, kTailSeconds = 0.3;

struct Wav {
    std::vector<std::int16_t> samples;
    int rate = 0;
};

/// espeak-ng's output: RIFF, 16-bit PCM, mono. Chunks are walked (no fixed header size).
Result<Wav> readWav(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto u32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        std::memcpy(&v, bytes.data() + at, 4);
        return v;
    };
    const auto u16 = [&](std::size_t at) {
        std::uint16_t v = 0;
        std::memcpy(&v, bytes.data() + at, 2);
        return v;
    };
    if (bytes.size() < 12 || bytes.compare(0, 4, "RIFF") != 0 || bytes.compare(8, 4, "WAVE") != 0) {
        return makeError(ErrorCode::Corrupt, file.string() + ": espeak-ng did not write a WAV file");
    }
    Wav wav;
    for (std::size_t at = 12; at + 8 <= bytes.size();) {
        const auto id = bytes.substr(at, 4);
        std::size_t size = u32(at + 4);
        if (id == "fmt " && at + 24 <= bytes.size()) {
            if (u16(at + 8) != 1 || u16(at + 10) != 1 || u16(at + 22) != 16) {
                return makeError(ErrorCode::Unsupported, file.string() + ": expected 16-bit PCM mono from espeak-ng");
            }
            wav.rate = static_cast<int>(u32(at + 12));
        } else if (id == "data") {
            size = std::min(size, bytes.size() - at - 8);  // streaming writers leave the size open
            wav.samples.resize(size / 2);
            std::memcpy(wav.samples.data(), bytes.data() + at + 8, wav.samples.size() * 2);
            break;
        }
        at += 8 + size + (size & 1);
    }
    if (wav.rate <= 0 || wav.samples.empty()) return makeError(ErrorCode::Corrupt, file.string() + ": no audio in espeak-ng's WAV");
    return wav;
}

void writeWav(const fs::path& file, const std::vector<std::int16_t>& samples, int rate) {
    std::ofstream out(file, std::ios::binary);
    const auto put32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
    const auto put16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
    const auto bytes = static_cast<std::uint32_t>(samples.size() * 2);
    out.write("RIFF", 4);
    put32(36 + bytes);
    out.write("WAVEfmt ", 8);
    put32(16), put16(1), put16(1), put32(static_cast<std::uint32_t>(rate)), put32(static_cast<std::uint32_t>(rate * 2)), put16(2),
        put16(16);
    out.write("data", 4);
    put32(bytes);
    out.write(reinterpret_cast<const char*>(samples.data()), bytes);
}

std::string clockTime(double seconds) {
    const auto ms = static_cast<long>(std::lround(seconds * 1000));
    char text[32];
    std::snprintf(text, sizeof text, "%02ld:%02ld:%02ld,%03ld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
    return text;
}

/// One clip; returns its length in seconds.
Result<double> renderClip(const DemoUtterance& u, const Speaker& speaker, const fs::path& clip, const RenderOptions& options) {
    const auto speech = clip.string() + ".speech.wav", padded = clip.string() + ".wav";
    const auto& v = u.voice;
    auto spoken = runProcess({"espeak-ng", "-v", "en+" + v.variant, "-p", std::to_string(v.pitch), "-s", std::to_string(v.speed), "-a",
                              std::to_string(v.amplitude), "-w", speech, u.text});
    if (!spoken) return spoken.error();
    if (spoken->exitCode != 0) return makeError(ErrorCode::Io, "espeak-ng failed for " + clip.string() + ": " + spoken->output);
    auto wav = readWav(speech);
    fs::remove(speech);
    if (!wav) return wav.error();
    // Silence before and after, so the face is seen before it speaks.
    std::vector<std::int16_t> samples(static_cast<std::size_t>(kLeadSeconds * wav->rate), 0);
    samples.insert(samples.end(), wav->samples.begin(), wav->samples.end());
    samples.resize(samples.size() + static_cast<std::size_t>(kTailSeconds * wav->rate), 0);
    writeWav(padded, samples, wav->rate);
    const double seconds = static_cast<double>(samples.size()) / wav->rate;
    const int frames = static_cast<int>(std::ceil(seconds * kFps));
    // Loudness per frame opens the mouth; normalised by the utterance's loudest frame.
    const std::size_t perFrame = static_cast<std::size_t>(wav->rate / kFps);
    std::vector<double> loudness(static_cast<std::size_t>(frames), 0.0);
    double loudest = 1e-9;
    for (int f = 0; f < frames; ++f) {
        double sum = 0;
        const std::size_t begin = static_cast<std::size_t>(f) * perFrame, end = std::min(samples.size(), begin + perFrame);
        for (std::size_t i = begin; i < end; ++i) sum += static_cast<double>(samples[i]) * samples[i];
        loudness[static_cast<std::size_t>(f)] = end > begin ? std::sqrt(sum / static_cast<double>(end - begin)) : 0.0;
        loudest = std::max(loudest, loudness[static_cast<std::size_t>(f)]);
    }
    const auto size = std::to_string(options.width) + "x" + std::to_string(options.height);
    cv::Mat frame(options.height, options.width, CV_8UC3);
    auto muxed = runProcess({"ffmpeg",
                             "-hide_banner",
                             "-loglevel",
                             "error",
                             "-y",
                             "-f",
                             "rawvideo",
                             "-pix_fmt",
                             "bgr24",
                             "-s",
                             size,
                             "-r",
                             std::to_string(kFps),
                             "-i",
                             "pipe:0",
                             "-i",
                             padded,
                             "-c:v",
                             "libx264",
                             "-preset",
                             "veryfast",
                             "-crf",
                             "24",
                             "-pix_fmt",
                             "yuv420p",
                             "-threads",
                             "1",
                             "-c:a",
                             "aac",
                             "-b:a",
                             "64k",
                             "-shortest",
                             clip.string()},
                            [&](int fd) {
                                for (int f = 0; f < frames; ++f) {
                                    FrameState state;
                                    state.speech = loudness[static_cast<std::size_t>(f)] / loudest;
                                    state.blink = (f + u.index * 17) % 70 < 3;  // about every 2.8 s
                                    state.bob = std::sin((f + u.dialogue * 7) * 0.15);
                                    drawSpeakerFrame(frame, speaker, u.face, state);
                                    if (!writeAll(fd, frame.data, frame.total() * frame.elemSize())) return false;
                                }
                                return true;
                            });
    fs::remove(padded);
    if (!muxed) return muxed.error();
    if (muxed->exitCode != 0) return makeError(ErrorCode::Io, "ffmpeg could not write " + clip.string() + ": " + muxed->output);
    return seconds;
}

struct Job {
    const DemoUtterance* utterance;
    const Speaker* speaker;
    std::string split;
    fs::path clip;
    double seconds = 0;
};

}  // namespace

const char* clipFolderName(const std::string& split) {
    if (split == "train") return "train_splits";
    if (split == "dev") return "dev_splits_complete";
    return "output_repeated_splits_test";
}

Result<RenderReport> renderCorpus(const DemoScript& script, const fs::path& out, const RenderOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    std::error_code ec;
    std::vector<Job> jobs;
    RenderReport report;
    for (const auto& dialogue : script.dialogues) {
        if (!options.onlySplit.empty() && dialogue.split != options.onlySplit) continue;
        if (options.dialogues > 0 && report.splits[dialogue.split].dialogues >= options.dialogues) continue;
        const auto folder = out / clipFolderName(dialogue.split);
        fs::create_directories(folder, ec);
        if (ec) return makeError(ErrorCode::Io, folder.string() + ": cannot create (" + ec.message() + "); choose another --out");
        auto& counts = report.splits[dialogue.split];
        ++counts.dialogues;
        for (const auto& u : dialogue.utterances) {
            const Speaker* speaker = &script.speakers.front();
            for (const auto& s : script.speakers) {
                if (s.name == u.speaker) speaker = &s;
            }
            jobs.push_back(
                {&u, speaker, dialogue.split, folder / ("dia" + std::to_string(u.dialogue) + "_utt" + std::to_string(u.index) + ".mp4")});
            ++counts.utterances;
            counts.incongruent += u.incongruent;
        }
    }
    std::atomic<std::size_t> next{0};
    std::atomic<int> done{0};
    std::mutex failure;
    std::optional<Error> firstError;
    std::vector<std::thread> workers;
    for (int w = 0; w < std::max(1, options.workers); ++w) {
        workers.emplace_back([&] {
            for (std::size_t i; (i = next++) < jobs.size();) {
                {
                    std::lock_guard lock(failure);
                    if (firstError) return;
                }
                auto seconds = renderClip(*jobs[i].utterance, *jobs[i].speaker, jobs[i].clip, options);
                std::lock_guard lock(failure);
                if (!seconds) {
                    if (!firstError) firstError = seconds.error();
                    return;
                }
                jobs[i].seconds = *seconds;
                if (options.progress) options.progress(++done, static_cast<int>(jobs.size()));
            }
        });
    }
    for (auto& worker : workers) worker.join();
    if (firstError) return *firstError;

    // The CSVs, MELD's columns first; times run on within a dialogue with half a second between turns.
    std::map<std::string, std::ofstream> csvs;
    std::map<std::string, int> rowNumbers;
    double clock = 0;
    for (const auto& job : jobs) {
        const auto& u = *job.utterance;
        const auto& split = job.split;
        auto& csv = csvs[split];
        if (!csv.is_open()) {
            const auto file = out / (split + "_sent_emo.csv");
            csv.open(file, std::ios::binary);
            if (!csv) return makeError(ErrorCode::Io, file.string() + ": cannot write; choose another --out");
            csv << "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime,"
                   "SentimentScore,Congruence\r\n";
        }
        if (u.index == 0) clock = 1.0;
        char score[16];
        std::snprintf(score, sizeof score, "%.1f", u.sentiment);
        csv << ++rowNumbers[split] << ',' << data::csvField(u.text) << ',' << u.speaker << ',' << u.emotion << ','
            << sentimentName(u.sentiment) << ',' << u.dialogue << ',' << u.index << ",1,1,\"" << clockTime(clock) << "\",\""
            << clockTime(clock + job.seconds) << "\"," << score << ',' << (u.incongruent ? "incongruent" : "congruent") << "\r\n";
        clock += job.seconds + 0.5;
        report.audioSeconds += job.seconds;
    }
    nlohmann::json demo = {{"generator", "egmf make-demo"}, {"version", 1}, {"seed", script.seed}, {"width", options.width},
                           {"height", options.height},      {"fps", kFps}};
    for (const auto& [split, counts] : report.splits) {
        demo["splits"][split] = {{"dialogues", counts.dialogues}, {"utterances", counts.utterances}, {"incongruent", counts.incongruent}};
    }
    std::ofstream(out / "demo.json") << demo.dump(2) << '\n';
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

}  // namespace egmf::demo
