#pragma once
// The engine's events of an `egmf analyze` run turned into results: JSONL lines for a sink, the
// dialogue into the bundle (when one is written), failures counted, a progress bar. Jobs are
// never superseded and the engine runs them in submission order, so the job an event is about
// is the first one expected and not finished.

#include <condition_variable>
#include <csignal>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "egmf/app/analysis_bundle.h"
#include "egmf/engine.h"
#include "progress_bar.h"

namespace egmf::cli {

/// Ctrl-C once: stop after cancelling (finished dialogues are kept); twice: the default (quit).
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    static bool interrupted();

private:
    struct sigaction m_previous {};
};

class Collector : public EngineObserver {
public:
    /// `showProgress` false: no bar (a rank other than 0, whose output would interleave).
    Collector(AnalyzeOptions options, std::function<void(const nlohmann::json&)> sink, int totalUtterances, bool showProgress = true);

    /// Before submitting its job: events are matched to dialogues in this order.
    void expect(const Dialogue* dialogue);

    void onProgress(JobId id, int done, int total) override;
    void onResult(JobId id, const DialogueResult& result) override;
    void onError(JobId id, const Error& error) override;
    void onModelLoaded(JobId, const ModelInfo&) override;

    /// Before Engine::load: the next error is the load's, until it has finished.
    void expectLoad();
    Result<void> waitForLoad();

    /// Set once the checkpoint is loaded, before any job is submitted.
    void setTask(Task task);
    /// Each dialogue goes into `bundle` too, as it finishes.
    void setBundle(bundle::Writer* bundle);
    std::string bundleError() const;
    /// Waits until `jobs` jobs have finished, or `cancelled` says stop (then false).
    bool waitForJobs(int jobs, const std::function<bool()>& cancelled);
    int jobsDone() const;
    int failed() const;
    int finished() const;
    void finishBar();

private:
    const Dialogue& dialogue() const;
    void keep(const Dialogue& input, const DialogueResult& result);
    void finishJob(const Dialogue& input);

    std::vector<const Dialogue*> m_dialogues;
    AnalyzeOptions m_options;
    std::function<void(const nlohmann::json&)> m_sink;
    const int m_total;
    const bool m_showProgress;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_loading = false;
    std::optional<Error> m_loadError;
    int m_finished = 0, m_failed = 0, m_jobsDone = 0;
    Task m_task = Task::Classification;
    bundle::Writer* m_bundle = nullptr;
    std::string m_bundleError;
    ProgressBar m_bar;
};

}  // namespace egmf::cli
