#pragma once
// FFmpeg's log through ours. FFmpeg prints its messages ("[swscaler @ 0x...] deprecated pixel
// format used", "[opus @ ...] Could not update timestamps") to stderr from whatever thread is
// working, between our own lines. One process-wide av_log callback (installed once, thread-safe)
// instead routes each warning or error to the clip it is about, where it joins that clip's
// warnings (the CLI's result lines, the Studio's prediction panel):
//   - a context registered with ClipLog::watch (the clip's demuxer, decoders);
//   - a frame-threaded decoder's private copy of a registered codec context (FFmpeg copies the
//     whole context into each worker thread, our `opaque` marker included);
//   - otherwise the clip being decoded on the calling thread (ClipLogScope);
//   - otherwise nobody's: kept in a small process-wide list (egmf::unattributedMediaMessages).
// Each clip keeps a few distinct messages, repeats counted, and says how many more there were.
// Nothing reaches stderr unless egmf::setMediaLogVerbose(true) (`--verbose`): then FFmpeg's
// lines are printed as FFmpeg itself would print them, and routed as well.

#include <cstddef>
#include <string>
#include <vector>

namespace egmf::media {

class ClipLog {
public:
    static constexpr std::size_t kMaxMessages = 6;

    explicit ClipLog(std::string clipName);
    ~ClipLog();  ///< unregisters: no message can reach a destroyed log
    ClipLog(const ClipLog&) = delete;
    ClipLog& operator=(const ClipLog&) = delete;

    /// Routes messages of this FFmpeg context (and, for a codec context, its threads' copies)
    /// here. The context must outlive the log or be forgotten with it.
    void watch(void* context);
    /// The messages so far as warning lines ("FFmpeg (h264): ..."), then emptied.
    std::vector<std::string> take();

private:
    friend struct LogRouter;
    struct Message {
        std::string text;
        int repeats = 1;
    };
    std::string m_clipName;
    std::vector<Message> m_messages;
    std::size_t m_dropped = 0;
};

/// The calling thread's clip while it lives (decoding is synchronous: FFmpeg's messages on this
/// thread meanwhile are about this clip).
class ClipLogScope {
public:
    explicit ClipLogScope(ClipLog& log);
    ~ClipLogScope();
    ClipLogScope(const ClipLogScope&) = delete;
    ClipLogScope& operator=(const ClipLogScope&) = delete;

private:
    ClipLog* m_previous;
};

/// Installs the callback (idempotent; every decoding entry point calls it).
void installFfmpegLog();

}  // namespace egmf::media
