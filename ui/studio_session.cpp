#include "studio_session.h"

#include <QFileInfo>
#include <thread>

#include "egmf/app/annotations.h"
#include "egmf/feature_source.h"
#include "engine_bridge.h"
#include "host/plugin_host.h"

namespace egmf::ui {

StudioSession::StudioSession(QObject* parent, const QString& annotationsFile) : QObject(parent) {
    qRegisterMetaType<UtteranceRef>();
    m_bridge = new EngineBridge(this);
    m_engine = std::make_unique<Engine>(m_bridge->observer());
    m_engine->setFeatureSource(makeClipFeatureSource());
    m_engine->setThreads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    connect(m_bridge, &EngineBridge::result, this, &StudioSession::onResult);
    connect(m_bridge, &EngineBridge::error, this, &StudioSession::onError);
    connect(m_bridge, &EngineBridge::progress, this, [this](quint64 job, int done, int total) {
        if (!m_running || m_running->job != job) return;
        const auto& id = m_dataset.dialogues[static_cast<std::size_t>(m_running->dialogue)].id;
        Q_EMIT progress((m_running->ablation ? QStringLiteral("Ablation on ") : QStringLiteral("Analysing ")) + QString::fromStdString(id),
                        done, total);
    });
    m_plugins = std::make_unique<plugin::PluginHost>();
    m_plugins->discover();
    m_loadPoll = new QTimer(this);
    m_loadPoll->setInterval(50);
    connect(m_loadPoll, &QTimer::timeout, this, [this] {
        if (!m_loading.valid()) return m_loadPoll->stop();
        Q_EMIT loadProgress(m_loadFraction->load());
        if (m_loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
        m_loadPoll->stop();
        auto loaded = m_loading.get();
        m_loading = {};
        if (!loaded) {
            Q_EMIT errorOccurred(QString::fromStdString(loaded.error().message));
            return;
        }
        m_dtype = m_loadingDtype;
        adoptAnalyzer(std::move(*loaded), m_loadingPath);
    });
    m_annotator = qEnvironmentVariable("USER", QStringLiteral("annotator")).toStdString();
    auto store = data::AnnotationStore::open(annotationsFile.toStdString());
    if (store) {
        m_store = std::make_unique<data::AnnotationStore>(std::move(*store));
    } else {
        // Reported when the first edit is tried; viewing works without a store.
        m_storeError = QString::fromStdString(store.error().message);
    }
}

StudioSession::~StudioSession() {
    if (m_loading.valid()) m_loading.wait();
    m_engine.reset();  // joins the inference thread before the bridge goes
}

const Utterance* StudioSession::utterance(UtteranceRef ref) const {
    if (ref.dialogue < 0 || ref.dialogue >= static_cast<int>(m_dataset.dialogues.size())) return nullptr;
    const auto& utterances = m_dataset.dialogues[static_cast<std::size_t>(ref.dialogue)].utterances;
    if (ref.utterance < 0 || ref.utterance >= static_cast<int>(utterances.size())) return nullptr;
    return &utterances[static_cast<std::size_t>(ref.utterance)];
}

void StudioSession::resetResults() {
    if (m_running) m_engine->cancel(m_running->job);
    m_running.reset();
    m_pendingAblation.reset();
    m_results.clear();
    m_errors.clear();
    m_ablations.clear();
    m_scheduler.reset(static_cast<int>(m_dataset.dialogues.size()));
}

void StudioSession::adopt(Dataset dataset, const QString& path, const std::string& key) {
    m_dataset = std::move(dataset);
    m_datasetPath = path;
    m_datasetKey = key;
    m_originalLabels.clear();
    m_originalScores.clear();
    m_firstUtterance.clear();
    m_notes.clear();
    m_reviewed.clear();
    for (const auto& dialogue : m_dataset.dialogues) {
        m_firstUtterance.push_back(static_cast<int>(m_originalLabels.size()));
        for (const auto& u : dialogue.utterances) {
            m_originalLabels.push_back(u.goldLabel);
            m_originalScores.push_back(u.goldScore);
        }
    }
    // This annotator's edits over the dataset's gold (the originals above tell them apart).
    if (m_store) {
        (void)m_store->applyTo(m_dataset, m_datasetKey, m_annotator);
        if (auto edits = m_store->edits(m_datasetKey, m_annotator)) {
            for (const auto& edit : *edits) {
                if (!edit.note.empty()) m_notes[edit.utterance] = QString::fromStdString(edit.note);
                if (edit.reviewed) m_reviewed.insert(edit.utterance);
            }
        }
    }
    resetResults();
    Q_EMIT datasetOpened();
    scheduleNext();
}

void StudioSession::openDialogue(Dataset dataset, const QString& name) {
    adopt(std::move(dataset), name, "clips:" + name.toStdString());
}

Result<void> StudioSession::openDataset(const QString& path) {
    auto dataset = readDataset(path.toStdString());
    if (!dataset) return dataset.error();
    adopt(std::move(*dataset), path, QFileInfo(path).canonicalFilePath().toStdString());
    return {};
}

void StudioSession::setPluginFolders(const QStringList& folders) {
    m_plugins->setSearchPath(folders);
    m_plugins->discover();
}

void StudioSession::adoptAnalyzer(std::unique_ptr<Analyzer> analyzer, const QString& path) {
    if (m_running) m_engine->cancel(m_running->job);
    m_running.reset();
    m_engine->load(std::shared_ptr<Analyzer>(std::move(analyzer)));
    m_checkpointPath = path;
    resetResults();
    Q_EMIT checkpointLoaded();
    scheduleNext();
}

Result<void> StudioSession::loadCheckpoint(const QString& path, const QString& device, const QString& dtype) {
    auto loaded = m_plugins->loadCheckpoint(path.toStdString(), {device.toStdString(), dtype.toStdString()});
    if (!loaded) return loaded.error();
    m_dtype = dtype;
    adoptAnalyzer(std::move(*loaded), path);
    return {};
}

void StudioSession::startLoading(const QString& path, const QString& device, const QString& dtype) {
    if (m_loading.valid()) {
        Q_EMIT errorOccurred(tr("A checkpoint is loading already (%1); wait for it").arg(m_loadingPath));
        return;
    }
    // Choosing the plugin (and its first-load probe) happens here; the weights load on a worker.
    auto match = m_plugins->loaderFor(path.toStdString());
    if (!match) {
        Q_EMIT errorOccurred(QString::fromStdString(match.error().message));
        return;
    }
    auto info = match->loader->inspect(path.toStdString());
    LoadOptions options{device.toStdString(), dtype.toStdString()};
    if (info) {
        if (auto fits = checkLoadFits(info->manifest, options, path.toStdString()); !fits) info = fits.error();
    }
    if (!info) {
        Q_EMIT errorOccurred(QString::fromStdString(info.error().message));
        return;
    }
    m_loadingPath = path;
    m_loadingDtype = dtype;
    m_loadFraction = std::make_shared<std::atomic<double>>(0.0);
    m_loading = std::async(std::launch::async, [loader = match->loader, file = path.toStdString(), options, fraction = m_loadFraction] {
        return loader->load(file, options, [fraction](double f) { fraction->store(f); });
    });
    m_loadPoll->start();
}

const Manifest* StudioSession::manifest() const {
    const auto analyzer = m_engine->analyzer();
    return analyzer ? &analyzer->manifest() : nullptr;
}

QString StudioSession::deviceName() const {
    const auto analyzer = m_engine->analyzer();
    return analyzer ? QString::fromStdString(analyzer->device()) : QString();
}

bool StudioSession::isRegression() const {
    const auto* m = manifest();
    return m && m->task == Task::Regression;
}

const UtteranceResult* StudioSession::result(UtteranceRef ref) const {
    const auto found = m_results.find(ref.dialogue);
    if (found == m_results.end() || ref.utterance < 0 || ref.utterance >= static_cast<int>(found->second.utterances.size())) {
        return nullptr;
    }
    return &found->second.utterances[static_cast<std::size_t>(ref.utterance)];
}

QString StudioSession::dialogueError(int dialogue) const {
    const auto found = m_errors.find(dialogue);
    return found == m_errors.end() ? QString() : found->second;
}

void StudioSession::focusDialogue(int dialogue) {
    m_scheduler.setFocus(dialogue);
    if (m_running && !m_running->ablation && m_scheduler.state(dialogue) == AnalysisScheduler::State::Waiting &&
        m_scheduler.outranks(dialogue, m_running->dialogue)) {
        // A background dialogue gives way to the one on screen; it is analysed again later.
        m_engine->cancel(m_running->job);
        m_scheduler.mark(m_running->dialogue, AnalysisScheduler::State::Waiting);
        m_running.reset();
    }
    scheduleNext();
}

void StudioSession::analyseSplit(const QString& split) {
    std::vector<int> dialogues;
    for (std::size_t d = 0; d < m_dataset.dialogues.size(); ++d) {
        if (split.isEmpty() || QString::fromStdString(m_dataset.dialogues[d].split) == split) dialogues.push_back(static_cast<int>(d));
    }
    m_scheduler.setBackground(std::move(dialogues));
    scheduleNext();
}

void StudioSession::cancelBackground() {
    m_scheduler.setBackground({});
    if (m_running && !m_running->ablation && m_running->dialogue != m_scheduler.focus() &&
        m_running->dialogue != m_scheduler.focus() + 1) {
        m_engine->cancel(m_running->job);
        m_scheduler.mark(m_running->dialogue, AnalysisScheduler::State::Waiting);
        m_running.reset();
    }
    scheduleNext();
}

void StudioSession::setPlaying(bool playing) {
    m_playing = playing;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    m_engine->setThreads(playing ? std::max(1, cores - 1) : cores);
}

void StudioSession::scheduleNext() {
    if (m_running || !m_engine->analyzer()) return;
    if (m_pendingAblation) {
        m_running = m_pendingAblation;
        m_running->job = m_engine->submit(m_pendingAblationJob);
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
    m_running = Running{m_engine->submit(std::move(job)), *next, false, {}};
}

void StudioSession::onResult(quint64 job, std::shared_ptr<const DialogueResult> result) {
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
            if (!result->utterances.empty()) stored.utterances[static_cast<std::size_t>(running.ref.utterance)] = result->utterances.front();
        }
        Q_EMIT ablationFinished(running.ref);
    } else {
        m_results[running.dialogue] = *result;
        m_errors.erase(running.dialogue);
        m_scheduler.mark(running.dialogue, AnalysisScheduler::State::Done);
        Q_EMIT dialogueAnalysed(running.dialogue);
        if (m_scheduler.backgroundTotal() > 0) {
            Q_EMIT progress(QStringLiteral("Analysed dialogues"), m_scheduler.backgroundFinished(), m_scheduler.backgroundTotal());
        }
    }
    scheduleNext();
}

void StudioSession::onError(quint64 job, const QString& message) {
    if (!m_running || m_running->job != job) return;
    const auto running = *m_running;
    m_running.reset();
    if (!running.ablation) {
        m_scheduler.mark(running.dialogue, AnalysisScheduler::State::Failed);
        m_errors[running.dialogue] = message;
        Q_EMIT dialogueAnalysed(running.dialogue);
    }
    Q_EMIT errorOccurred(message);
    scheduleNext();
}

void StudioSession::runAblation(UtteranceRef ref, bool wholeDialogue, const AnalyzeOptions& options) {
    if (!utterance(ref)) return;
    EngineJob job;
    job.kind = wholeDialogue ? EngineJob::Kind::Ablation : EngineJob::Kind::Utterance;
    job.dialogue = m_dataset.dialogues[static_cast<std::size_t>(ref.dialogue)];
    job.utteranceIndex = wholeDialogue ? -1 : ref.utterance;
    job.options = options;
    job.view = "ablation";
    QStringList off;
    for (int m = 0; m < kModalityCount; ++m) {
        if (options.disabledModalities[static_cast<std::size_t>(m)]) off << QStringLiteral("no ") + QStringList{"text", "audio", "visual"}[m];
    }
    for (int e = 0; e < kExpertCount; ++e) {
        if (options.disabledExperts[static_cast<std::size_t>(e)]) off << QStringLiteral("no ") + QStringList{"local", "semantic", "global"}[e] + " expert";
    }
    m_ablationDescription = off.isEmpty() ? QStringLiteral("full model") : off.join(QStringLiteral(", "));
    m_ablations.erase(ref.dialogue);
    const Running running{0, ref.dialogue, true, wholeDialogue ? UtteranceRef{ref.dialogue, -1} : ref};
    if (m_running && m_running->ablation) {
        m_engine->cancel(m_running->job);  // a newer ablation replaces the older
        m_running.reset();
    }
    m_pendingAblation = running;
    m_pendingAblationJob = std::move(job);
    if (m_running && m_running->dialogue != m_scheduler.focus()) {
        // The user asked for this now: a background dialogue waits.
        m_engine->cancel(m_running->job);
        m_scheduler.mark(m_running->dialogue, AnalysisScheduler::State::Waiting);
        m_running.reset();
    }
    scheduleNext();
}

const UtteranceResult* StudioSession::ablationResult(UtteranceRef ref) const {
    const auto found = m_ablations.find(ref.dialogue);
    if (found == m_ablations.end() || ref.utterance < 0 || ref.utterance >= static_cast<int>(found->second.utterances.size())) {
        return nullptr;
    }
    const auto& r = found->second.utterances[static_cast<std::size_t>(ref.utterance)];
    return r.utteranceId.empty() ? nullptr : &r;
}

bool StudioSession::goldEdited(UtteranceRef ref) const {
    const auto* u = utterance(ref);
    if (!u) return false;
    const auto flat = static_cast<std::size_t>(m_firstUtterance[static_cast<std::size_t>(ref.dialogue)] + ref.utterance);
    return u->goldLabel != m_originalLabels[flat] || u->goldScore != m_originalScores[flat];
}

QString StudioSession::note(UtteranceRef ref) const {
    const auto* u = utterance(ref);
    if (!u) return {};
    const auto found = m_notes.find(u->id);
    return found == m_notes.end() ? QString() : found->second;
}

Result<void> StudioSession::storeEdit(UtteranceRef ref) {
    if (!m_store) {
        return makeError(ErrorCode::Io, m_storeError.toStdString());
    }
    const auto* u = utterance(ref);
    const auto noteText = note(ref);
    Result<void> stored;
    if (!goldEdited(ref) && noteText.isEmpty() && !reviewed(ref)) {
        stored = m_store->remove(m_datasetKey, u->id, m_annotator);
    } else {
        data::Annotation a;
        a.dataset = m_datasetKey;
        a.utterance = u->id;
        a.annotator = m_annotator;
        if (goldEdited(ref)) {
            a.label = u->goldLabel;
            a.score = u->goldScore;
        }
        a.note = noteText.toStdString();
        a.reviewed = reviewed(ref);
        stored = m_store->put(a);
    }
    if (stored) Q_EMIT goldChanged(ref);
    return stored;
}

Result<void> StudioSession::setGoldLabel(UtteranceRef ref, const std::optional<std::string>& label) {
    if (!utterance(ref)) return makeError(ErrorCode::InvalidArgument, "no such utterance");
    auto& u = m_dataset.dialogues[static_cast<std::size_t>(ref.dialogue)].utterances[static_cast<std::size_t>(ref.utterance)];
    const auto before = u.goldLabel;
    u.goldLabel = label;
    auto stored = storeEdit(ref);
    if (!stored) u.goldLabel = before;  // nothing shown that is not saved
    return stored;
}

Result<void> StudioSession::setGoldScore(UtteranceRef ref, const std::optional<double>& score) {
    if (!utterance(ref)) return makeError(ErrorCode::InvalidArgument, "no such utterance");
    auto& u = m_dataset.dialogues[static_cast<std::size_t>(ref.dialogue)].utterances[static_cast<std::size_t>(ref.utterance)];
    const auto before = u.goldScore;
    u.goldScore = score;
    auto stored = storeEdit(ref);
    if (!stored) u.goldScore = before;
    return stored;
}

Result<void> StudioSession::setNote(UtteranceRef ref, const QString& text) {
    const auto* u = utterance(ref);
    if (!u) return makeError(ErrorCode::InvalidArgument, "no such utterance");
    const auto before = note(ref);
    m_notes[u->id] = text;
    auto stored = storeEdit(ref);
    if (!stored) m_notes[u->id] = before;
    return stored;
}


bool StudioSession::reviewed(UtteranceRef ref) const {
    const auto* u = utterance(ref);
    return u && m_reviewed.count(u->id) > 0;
}

Result<void> StudioSession::setReviewed(UtteranceRef ref, bool value) {
    const auto* u = utterance(ref);
    if (!u) return makeError(ErrorCode::InvalidArgument, "no such utterance");
    const bool before = reviewed(ref);
    value ? (void)m_reviewed.insert(u->id) : (void)m_reviewed.erase(u->id);
    auto stored = storeEdit(ref);
    if (!stored) before ? (void)m_reviewed.insert(u->id) : (void)m_reviewed.erase(u->id);
    return stored;
}

}  // namespace egmf::ui
