#include "ffmpeg_log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "egmf/media_log.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/log.h>
}

namespace egmf::media {

namespace {

thread_local ClipLog* t_current = nullptr;
std::atomic<bool> g_verbose{false};
constexpr std::size_t kKeptUnattributed = 32;

const AVClass* classOf(void* context) {
    return context ? *static_cast<const AVClass* const*>(context) : nullptr;
}

std::string describe(void* context, const char* format, va_list arguments) {
    char text[1024];
    std::vsnprintf(text, sizeof text, format, arguments);
    std::string line(text);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const AVClass* type = classOf(context);
    const char* name = type && type->item_name ? type->item_name(context) : nullptr;
    return std::string("FFmpeg") + (name ? std::string(" (") + name + ")" : std::string()) + ": " + line;
}

}  // namespace

struct LogRouter {
    std::mutex mutex;
    std::unordered_map<const void*, ClipLog*> contexts;
    std::unordered_set<const ClipLog*> live;
    std::deque<std::string> unattributed;
    std::size_t unattributedTotal = 0;

    /// Never destroyed: FFmpeg's threads may still log while the process exits.
    static LogRouter& instance() {
        static auto* router = new LogRouter;
        return *router;
    }

    ClipLog* findLocked(void* context) {
        if (context) {
            if (const auto found = contexts.find(context); found != contexts.end()) return found->second;
            if (classOf(context) == avcodec_get_class()) {  // a worker thread's copy carries our marker
                auto* marked = static_cast<ClipLog*>(static_cast<AVCodecContext*>(context)->opaque);
                if (live.count(marked)) return marked;
            }
        }
        return live.count(t_current) ? t_current : nullptr;
    }

    void deliver(void* context, std::string line) {
        std::lock_guard lock(mutex);
        ClipLog* log = findLocked(context);
        if (!log) {
            ++unattributedTotal;
            unattributed.push_back(std::move(line));
            if (unattributed.size() > kKeptUnattributed) unattributed.pop_front();
            return;
        }
        for (auto& message : log->m_messages) {
            if (message.text == line) {
                ++message.repeats;
                return;
            }
        }
        if (log->m_messages.size() < ClipLog::kMaxMessages) {
            log->m_messages.push_back({std::move(line), 1});
        } else {
            ++log->m_dropped;
        }
    }
};

namespace {

void routeLog(void* context, int level, const char* format, va_list arguments) {
    if (g_verbose.load(std::memory_order_relaxed)) {
        va_list copy;
        va_copy(copy, arguments);
        av_log_default_callback(context, level, format, copy);
        va_end(copy);
    }
    // Information and debugging chatter stays out of the clip's warnings.
    if (level > AV_LOG_WARNING) return;
    LogRouter::instance().deliver(context, describe(context, format, arguments));
}

}  // namespace

ClipLog::ClipLog(std::string clipName) : m_clipName(std::move(clipName)) {
    auto& router = LogRouter::instance();
    std::lock_guard lock(router.mutex);
    router.live.insert(this);
}

ClipLog::~ClipLog() {
    auto& router = LogRouter::instance();
    std::lock_guard lock(router.mutex);
    router.live.erase(this);
    for (auto it = router.contexts.begin(); it != router.contexts.end();) {
        it = it->second == this ? router.contexts.erase(it) : std::next(it);
    }
}

void ClipLog::watch(void* context) {
    if (!context) return;
    if (classOf(context) == avcodec_get_class()) static_cast<AVCodecContext*>(context)->opaque = this;
    auto& router = LogRouter::instance();
    std::lock_guard lock(router.mutex);
    router.contexts[context] = this;
}

std::vector<std::string> ClipLog::take() {
    auto& router = LogRouter::instance();
    std::lock_guard lock(router.mutex);
    std::vector<std::string> lines;
    for (const auto& message : m_messages) {
        lines.push_back(message.repeats > 1 ? message.text + " (" + std::to_string(message.repeats) + " times)" : message.text);
    }
    if (m_dropped > 0) {
        lines.push_back("FFmpeg said " + std::to_string(m_dropped) + " other things about this clip (egmf --verbose prints them all)");
    }
    m_messages.clear();
    m_dropped = 0;
    return lines;
}

ClipLogScope::ClipLogScope(ClipLog& log) : m_previous(t_current) {
    t_current = &log;
}
ClipLogScope::~ClipLogScope() {
    t_current = m_previous;
}

void installFfmpegLog() {
    static std::once_flag installed;
    std::call_once(installed, [] { av_log_set_callback(routeLog); });
}

}  // namespace egmf::media

namespace egmf {

void setMediaLogVerbose(bool verbose) {
    media::installFfmpegLog();
    media::g_verbose = verbose;
}

std::vector<std::string> unattributedMediaMessages(std::size_t* total) {
    auto& router = media::LogRouter::instance();
    std::lock_guard lock(router.mutex);
    if (total) *total = router.unattributedTotal;
    return {router.unattributed.begin(), router.unattributed.end()};
}

}  // namespace egmf
