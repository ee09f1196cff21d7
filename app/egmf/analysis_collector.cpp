#include "analysis_collector.h"

#include <atomic>

#include "results_jsonl.h"

namespace egmf::cli {
namespace {

std::atomic<bool> g_interrupted{false};

}  // namespace

InterruptGuard::InterruptGuard() {
    g_interrupted = false;
    struct sigaction action {};
    action.sa_handler = [](int) { g_interrupted = true; };
    action.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &action, &m_previous);
}

InterruptGuard::~InterruptGuard() {
    ::sigaction(SIGINT, &m_previous, nullptr);
}

bool InterruptGuard::interrupted() {
    return g_interrupted;
}

Collector::Collector(AnalyzeOptions options, std::function<void(const nlohmann::json&)> sink, int totalUtterances, bool showProgress)
    : m_options(std::move(options)),
      m_sink(std::move(sink)),
      m_total(totalUtterances),
      m_showProgress(showProgress),
      m_bar("analysing", "utterances") {}

void Collector::expect(const Dialogue* dialogue) {
    std::lock_guard lock(m_mutex);
    m_dialogues.push_back(dialogue);
}

void Collector::onProgress(JobId, int done, int total) {
    std::lock_guard lock(m_mutex);
    const auto size = static_cast<double>(dialogue().utterances.size());
    if (m_showProgress) m_bar.update(m_finished + size * done / std::max(1, total), m_total);
}

void Collector::onResult(JobId, const DialogueResult& result) {
    std::lock_guard lock(m_mutex);
    const auto& input = dialogue();
    keep(input, result);
    for (std::size_t i = 0; i < input.utterances.size(); ++i) {
        if (i < result.utterances.size()) {
            const auto& u = result.utterances[i];
            if (m_sink) m_sink(utteranceJson(input, input.utterances[i], u, m_options, m_task));
            m_failed += !u.error.empty();
            if (!u.error.empty()) m_bar.note("error: " + input.utterances[i].id + ": " + u.error);
            for (const auto& warning : u.warnings) m_bar.note("warning: " + input.utterances[i].id + ": " + warning);
        } else {
            if (m_sink)
                m_sink(failedUtteranceJson(input, input.utterances[i], "no result for this utterance (please report this)", m_task));
            ++m_failed;
        }
    }
    finishJob(input);
}

void Collector::onError(JobId, const Error& error) {
    std::lock_guard lock(m_mutex);
    if (m_loading) {
        m_loading = false;
        m_loadError = error;
        m_changed.notify_all();
        return;
    }
    const auto& input = dialogue();
    DialogueResult failed{input.id, {}};
    for (const auto& utterance : input.utterances) {
        if (m_sink) m_sink(failedUtteranceJson(input, utterance, error.message, m_task));
        UtteranceResult none;
        none.utteranceId = utterance.id;
        none.error = error.message;
        failed.utterances.push_back(std::move(none));
    }
    keep(input, failed);
    m_failed += static_cast<int>(input.utterances.size());
    finishJob(input);
}

void Collector::onModelLoaded(JobId, const ModelInfo&) {
    std::lock_guard lock(m_mutex);
    m_loading = false;
    m_changed.notify_all();
}

void Collector::expectLoad() {
    std::lock_guard lock(m_mutex);
    m_loading = true;
}

Result<void> Collector::waitForLoad() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_loading; });
    if (m_loadError) return *m_loadError;
    return {};
}

void Collector::setTask(Task task) {
    std::lock_guard lock(m_mutex);
    m_task = task;
}

void Collector::setBundle(bundle::Writer* bundle) {
    std::lock_guard lock(m_mutex);
    m_bundle = bundle;
}

std::string Collector::bundleError() const {
    std::lock_guard lock(m_mutex);
    return m_bundleError;
}

bool Collector::waitForJobs(int jobs, const std::function<bool()>& cancelled) {
    std::unique_lock lock(m_mutex);
    while (m_jobsDone < jobs) {
        if (cancelled && cancelled()) return false;
        m_changed.wait_for(lock, std::chrono::milliseconds(50));
    }
    return true;
}

int Collector::jobsDone() const {
    std::lock_guard lock(m_mutex);
    return m_jobsDone;
}

int Collector::failed() const {
    std::lock_guard lock(m_mutex);
    return m_failed;
}

int Collector::finished() const {
    std::lock_guard lock(m_mutex);
    return m_finished;
}

void Collector::finishBar() {
    m_bar.finish();
}

const Dialogue& Collector::dialogue() const {
    return *m_dialogues.at(static_cast<std::size_t>(m_jobsDone));
}

void Collector::keep(const Dialogue& input, const DialogueResult& result) {
#ifdef EGMF_WITH_BUNDLE
    if (!m_bundle || !m_bundleError.empty()) return;
    if (auto added = m_bundle->add(input, result); !added.ok()) {
        m_bundleError = added.error().message;
        m_bar.note("error: " + m_bundleError + " (the bundle stops here; the results file goes on)");
    }
#else
    (void)input, (void)result;
#endif
}

void Collector::finishJob(const Dialogue& input) {
    m_finished += static_cast<int>(input.utterances.size());
    ++m_jobsDone;
    if (m_showProgress) m_bar.update(m_finished, m_total);
    m_changed.notify_all();
}

}  // namespace egmf::cli
