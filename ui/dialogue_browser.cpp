#include "dialogue_browser.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTreeView>
#include <QVBoxLayout>
#include <set>

#include "dialogue_filter.h"
#include "dialogue_tree_model.h"
#include "studio_session.h"

namespace egmf::ui {

DialogueBrowser::DialogueBrowser(StudioSession* session, QWidget* parent) : QWidget(parent), m_session(session) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Search utterance text (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    layout->addWidget(m_search);
    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    m_errorsOnly = new QCheckBox(tr("wrong predictions only"));
    m_gold = new QComboBox;
    m_predicted = new QComboBox;
    m_speaker = new QComboBox;
    m_confidence = new QDoubleSpinBox;
    m_confidence->setRange(0.0, 1.0);
    m_confidence->setSingleStep(0.05);
    m_confidence->setValue(1.0);
    m_confidence->setToolTip(tr("Show dialogues with a prediction at most this confident (1 = any)"));
    form->addRow(m_errorsOnly);
    form->addRow(tr("Gold"), m_gold);
    form->addRow(tr("Predicted"), m_predicted);
    form->addRow(tr("Speaker"), m_speaker);
    form->addRow(tr("Confidence \u2264"), m_confidence);
    layout->addLayout(form);

    m_tree = new DialogueTreeModel(session, this);
    m_filter = new DialogueFilterModel(session, this);
    m_filter->setSourceModel(m_tree);
    m_view = new QTreeView;
    m_view->setModel(m_filter);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < DialogueTreeModel::ColumnCount; ++c) m_view->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    layout->addWidget(m_view, 1);

    connect(session->annotations(), &AnnotationSession::datasetOpened, this, [this] {
        fillChoices();
        m_view->expandToDepth(1);
    });
    connect(session->model(), &ModelSlot::loaded, this, &DialogueBrowser::fillChoices);
    connect(m_search, &QLineEdit::textChanged, this, &DialogueBrowser::applyFilter);
    connect(m_errorsOnly, &QCheckBox::toggled, this, &DialogueBrowser::applyFilter);
    for (auto* box : {m_gold, m_predicted, m_speaker}) connect(box, &QComboBox::currentIndexChanged, this, &DialogueBrowser::applyFilter);
    connect(m_confidence, &QDoubleSpinBox::valueChanged, this, &DialogueBrowser::applyFilter);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& current) {
        const int dialogue = current.data(DialogueTreeModel::DialogueRole).toInt();
        if (current.isValid() && dialogue >= 0) Q_EMIT dialogueActivated(dialogue);
    });
    fillChoices();
}

void DialogueBrowser::fillChoices() {
    std::set<QString> speakers;
    for (const auto& d : m_session->dataset().dialogues) {
        for (const auto& u : d.utterances) speakers.insert(QString::fromStdString(u.speaker));
    }
    const auto* manifest = m_session->model()->manifest();
    QStringList labels;
    for (const auto& l : manifest && !manifest->labels.empty() ? manifest->labels : m_session->dataset().labels)
        labels << QString::fromStdString(l);
    const auto fill = [](QComboBox* box, const QStringList& items) {
        const QSignalBlocker block(box);
        const auto keep = box->currentText();
        box->clear();
        box->addItem(tr("any"), QString());
        for (const auto& item : items) box->addItem(item, item);
        const int at = box->findText(keep);
        box->setCurrentIndex(at >= 0 ? at : 0);
    };
    fill(m_gold, labels);
    fill(m_predicted, labels);
    fill(m_speaker, QStringList(speakers.begin(), speakers.end()));
}

void DialogueBrowser::applyFilter() {
    UtteranceFilter filter;
    filter.text = m_search->text();
    filter.errorsOnly = m_errorsOnly->isChecked();
    filter.gold = m_gold->currentData().toString();
    filter.predicted = m_predicted->currentData().toString();
    filter.speaker = m_speaker->currentData().toString();
    filter.maxConfidence = m_confidence->value();
    m_filter->setFilter(filter);
    m_view->expandAll();
}

void DialogueBrowser::filterByCell(const QString& gold, const QString& predicted) {
    m_gold->setCurrentIndex(std::max(0, m_gold->findData(gold)));
    m_predicted->setCurrentIndex(std::max(0, m_predicted->findData(predicted)));
}

void DialogueBrowser::selectDialogue(int dialogue) {
    const auto source = m_tree->indexOfDialogue(dialogue);
    const auto proxy = m_filter->mapFromSource(source);
    if (proxy.isValid()) m_view->setCurrentIndex(proxy);
}

QSize DialogueBrowser::sizeHint() const {
    // A name like "dia1038" beside three counts of up to five digits, with the tree's indent.
    return {fontMetrics().horizontalAdvance(QStringLiteral("dia1038 (train)  00000 00000 00000")) + 80, 480};
}

}  // namespace egmf::ui
