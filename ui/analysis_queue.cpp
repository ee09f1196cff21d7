#include "analysis_queue.h"

#include <QStringList>
#include <thread>

#include "engine_bridge.h"
#include "model_slot.h"

namespace egmf::ui {

AnalysisQueue::AnalysisQueue(ModelSlot& model, EngineBridge* bridge, const Dataset& dataset, QObject* parent)
    : QObject(parent), m_model(model), m_dataset(dataset) {
    connect(&model, &ModelSlot::engineChanged, this, [this] {
        // The job in flight was the replaced engine's (it cancelled it as it went): its id means
        // nothing to the new one. A new engine that runs a model says loaded() next, which restarts
        // the analysis; restarting here too would submit the focus twice.
        m_running.reset();
        if (!engine().model()) restart();
    });
    connect(bridge, &EngineBridge::result, this, &AnalysisQueue::onResult);
    connect(bridge, &EngineBridge::error, this, &AnalysisQueue::onError);
    connect(bridge, &EngineBridge::progress, this, [this](quint64 job, int done, int total) {
        if (!m_running || m_running->job != job) return;
        const auto& id = m_dataset.dialogues[static_cast<std::size_t>(m_running->dialogue)].id;
        Q_EMIT progress((m_running->ablation ? QStringLiteral("Ablation on ") : QStringLiteral("Analysing ")) + QString::fromStdString(id),
                        done, total);
    });
}

Engine& AnalysisQueue::engine() const {
    return m_model.engine();
}

void AnalysisQueue::reset() {
    m_adopted = false;
    forgetResults();
    m_scheduler.reset(static_cast<int>(m_dataset.dialogues.size()));
}

void AnalysisQueue::restart() {
    m_adopted = false;
    forgetResults();
    m_scheduler.restart();
    scheduleNext();
}

void AnalysisQueue::forgetResults() {
    if (m_running) engine().cancel(m_running->job);
    m_running.reset();
    m_pendingAblation.reset();
    m_results.clear();
    m_errors.clear();
    m_ablations.clear();
}

void AnalysisQueue::yieldBackground() {
    engine().cancel(m_running->job);
    m_scheduler.mark(m_running->dialogue, AnalysisScheduler::State::Waiting);
    m_running.reset();
}

const UtteranceResult* AnalysisQueue::result(UtteranceRef ref) const {
    const auto* dialogue = dialogueResult(ref.dialogue);
    if (!dialogue || ref.utterance < 0 || ref.utterance >= static_cast<int>(dialogue->utterances.size())) return nullptr;
    return &dialogue->utterances[static_cast<std::size_t>(ref.utterance)];
}

const DialogueResult* AnalysisQueue::dialogueResult(int dialogue) const {
    const auto found = m_results.find(dialogue);
    return found == m_results.end() ? nullptr : found->second.get();
}

QString AnalysisQueue::dialogueError(int dialogue) const {
    const auto found = m_errors.find(dialogue);
    return found == m_errors.end() ? QString() : found->second;
}

void AnalysisQueue::focusDialogue(int dialogue) {
    m_scheduler.setFocus(dialogue);
    if (m_running && !m_running->ablation && m_scheduler.state(dialogue) == AnalysisScheduler::State::Waiting &&
        m_scheduler.outranks(dialogue, m_running->dialogue)) {
        yieldBackground();  // the one on screen goes first; this one is analysed again later
    }
    scheduleNext();
}

void AnalysisQueue::analyseSplit(const QString& split) {
    std::vector<int> dialogues;
    for (std::size_t d = 0; d < m_dataset.dialogues.size(); ++d) {
        if (split.isEmpty() || QString::fromStdString(m_dataset.dialogues[d].split) == split) dialogues.push_back(static_cast<int>(d));
    }
    m_scheduler.setBackground(std::move(dialogues));
    scheduleNext();
}

void AnalysisQueue::cancelBackground() {
    m_scheduler.setBackground({});
    if (m_running && !m_running->ablation && m_running->dialogue != m_scheduler.focus() && m_running->dialogue != m_scheduler.focus() + 1) {
        yieldBackground();
    }
    scheduleNext();
}

void AnalysisQueue::setPlaying(bool playing) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    engine().setThreads(playing ? std::max(1, cores - 1) : cores);
}

void AnalysisQueue::adopt(std::vector<std::pair<int, DialogueResult>> results) {
    forgetResults();
    m_adopted = true;
    m_scheduler.reset(static_cast<int>(m_dataset.dialogues.size()));
    for (auto& [dialogue, result] : results) {
        m_results[dialogue] = std::make_shared<const DialogueResult>(std::move(result));
        m_scheduler.mark(dialogue, AnalysisScheduler::State::Done);
        Q_EMIT dialogueAnalysed(dialogue, nullptr);
    }
}

void AnalysisQueue::scheduleNext() {
    if (m_running || m_adopted || !engine().model()) return;
    if (m_pendingAblation) {
        m_running = m_pendingAblation;
        m_running->job = engine().submit(m_pendingAblationJob);
        m_pendingAblation.reset();
        return;
    }
    const auto next = m_scheduler.next();
    if (!next) {
        Q_EMIT idle();
        return;
    }
    EngineJob job;
    job.kind = EngineJob::Kind::Dialogue;
    job.dialogue = m_dataset.dialogues[static_cast<std::size_t>(*next)];
    job.view = "analysis";
    m_scheduler.mark(*next, AnalysisScheduler::State::Running);
    m_running = Running{engine().submit(std::move(job)), *next, false, {}};
}

void AnalysisQueue::onResult(quint64 job, std::shared_ptr<const DialogueResult> result) {
    if (!m_running || m_running->job != job) return;
    const auto running = *m_running;
    m_running.reset();
    if (running.ablation) {
        auto& stored = m_ablations[running.dialogue];
        if (running.ref.utterance < 0) {
            stored = *result;
        } else {
            const auto size = m_dataset.dialogues[static_cast<std::size_t>(running.dialogue)].utterances.size();
            if (stored.utterances.size() != size) stored.utterances.assign(size, UtteranceResult{});
            if (!result->utterances.empty())
                stored.utterances[static_cast<std::size_t>(running.ref.utterance)] = result->utterances.front();
        }
        Q_EMIT ablationFinished(running.ref);
    } else {
        auto& stored = m_results[running.dialogue];
        const auto previous = std::exchange(stored, result);
        m_errors.erase(running.dialogue);
        m_scheduler.mark(running.dialogue, AnalysisScheduler::State::Done);
        Q_EMIT dialogueAnalysed(running.dialogue, previous);
        if (m_scheduler.backgroundTotal() > 0) {
            Q_EMIT progress(QStringLiteral("Analysed dialogues"), m_scheduler.backgroundFinished(), m_scheduler.backgroundTotal());
        }
    }
    scheduleNext();
}

void AnalysisQueue::onError(quint64 job, const QString& message) {
    if (!m_running || m_running->job != job) return;
    const auto running = *m_running;
    m_running.reset();
    if (!running.ablation) {
        m_scheduler.mark(running.dialogue, AnalysisScheduler::State::Failed);
        m_errors[running.dialogue] = message;
        const auto found = m_results.find(running.dialogue);
        std::shared_ptr<const DialogueResult> previous;
        if (found != m_results.end()) previous = found->second, m_results.erase(found);
        Q_EMIT dialogueAnalysed(running.dialogue, previous);
    }
    Q_EMIT errorOccurred(message);
    scheduleNext();
}

void AnalysisQueue::runAblation(UtteranceRef ref, bool wholeDialogue, const AnalyzeOptions& options) {
    if (ref.dialogue < 0 || ref.dialogue >= static_cast<int>(m_dataset.dialogues.size())) return;
    EngineJob job;
    job.kind = wholeDialogue ? EngineJob::Kind::Ablation : EngineJob::Kind::Utterance;
    job.dialogue = m_dataset.dialogues[static_cast<std::size_t>(ref.dialogue)];
    job.utteranceIndex = wholeDialogue ? -1 : ref.utterance;
    job.options = options;
    job.view = "ablation";
    QStringList off;
    for (int m = 0; m < kModalityCount; ++m) {
        if (options.disabledModalities[static_cast<std::size_t>(m)])
            off << QStringLiteral("no ") + QStringList{"text", "audio", "visual"}[m];
    }
    for (int e = 0; e < kExpertCount; ++e) {
        if (options.disabledExperts[static_cast<std::size_t>(e)])
            off << QStringLiteral("no ") + QStringList{"local", "semantic", "global"}[e] + " expert";
    }
    m_ablationDescription = off.isEmpty() ? QStringLiteral("full model") : off.join(QStringLiteral(", "));
    m_ablations.erase(ref.dialogue);
    const Running running{0, ref.dialogue, true, wholeDialogue ? UtteranceRef{ref.dialogue, -1} : ref};
    if (m_running && m_running->ablation) {
        engine().cancel(m_running->job);  // a newer ablation replaces the older
        m_running.reset();
    }
    m_pendingAblation = running;
    m_pendingAblationJob = std::move(job);
    if (m_running && m_running->dialogue != m_scheduler.focus()) yieldBackground();  // the user asked for this now
    scheduleNext();
}

const UtteranceResult* AnalysisQueue::ablationResult(UtteranceRef ref) const {
    const auto found = m_ablations.find(ref.dialogue);
    if (found == m_ablations.end() || ref.utterance < 0 || ref.utterance >= static_cast<int>(found->second.utterances.size())) {
        return nullptr;
    }
    const auto& r = found->second.utterances[static_cast<std::size_t>(ref.utterance)];
    return r.utteranceId.empty() ? nullptr : &r;
}

}  // namespace egmf::ui
