#include "studio_session.h"

#include <QFileInfo>

#include "engine_bridge.h"

namespace egmf::ui {

StudioSession::StudioSession(QObject* parent, const QString& annotationsFile) : QObject(parent) {
    m_bridge = new EngineBridge(this);
    m_annotations = new AnnotationSession(annotationsFile, this);
    m_model = new ModelSlot(m_bridge, this);
    m_analysis = new AnalysisQueue(*m_model, m_bridge, m_annotations->dataset(), this);
    m_current = new CurrentUtterance(m_annotations, m_analysis, m_model, this);
    connect(m_annotations, &AnnotationSession::datasetOpened, m_analysis, &AnalysisQueue::reset);
    connect(m_model, &ModelSlot::loaded, m_analysis, &AnalysisQueue::restart);
    connect(m_analysis, &AnalysisQueue::errorOccurred, this, &StudioSession::errorOccurred);
}

StudioSession::~StudioSession() {
    delete m_current;
    delete m_analysis;  // its jobs are cancelled before the engine goes with the slot
    delete m_model;
}

Result<void> StudioSession::openDataset(const QString& path) {
    auto dataset = readDataset(path.toStdString());
    if (!dataset) return dataset.error();
    m_annotations->open(std::move(*dataset), path, QFileInfo(path).canonicalFilePath().toStdString());
    return {};
}

void StudioSession::openDialogue(Dataset dataset, const QString& name) {
    m_annotations->open(std::move(dataset), name, "clips:" + name.toStdString());
}

}  // namespace egmf::ui
