#include "annotation_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QToolButton>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>

#include "annotation_commands.h"
#include "egmf/app/annotations.h"
#include "utterance_table_model.h"

namespace egmf::ui {

AnnotationPanel::AnnotationPanel(StudioSession* session, QUndoStack* stack, QWidget* parent)
    : QWidget(parent), m_session(session), m_stack(stack) {
    auto* layout = new QVBoxLayout(this);
    m_title = new QLabel;
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    auto* form = new QFormLayout;
    m_label = new QComboBox;
    m_score = new QDoubleSpinBox;
    m_score->setRange(-3.0, 3.0);
    m_score->setSingleStep(0.1);
    m_score->setDecimals(1);
    m_score->setKeyboardTracking(false);
    m_original = new QLabel;
    m_note = new QLineEdit;
    m_note->setPlaceholderText(tr("a note for this utterance (Enter saves)"));
    m_reviewed = new QCheckBox(tr("reviewed (R)"));
    form->addRow(tr("Gold (1-9)"), m_label);
    form->addRow(tr("Gold score"), m_score);
    form->addRow(tr("Dataset's gold"), m_original);
    form->addRow(tr("Note"), m_note);
    form->addRow(m_reviewed);
    layout->addLayout(form);
    auto* buttons = new QHBoxLayout;
    auto* undo = new QToolButton;
    undo->setDefaultAction(stack->createUndoAction(this, tr("Undo")));
    auto* redo = new QToolButton;
    redo->setDefaultAction(stack->createRedoAction(this, tr("Redo")));
    auto* exportButton = new QPushButton(tr("Export edits..."));
    buttons->addWidget(undo);
    buttons->addWidget(redo);
    buttons->addStretch();
    buttons->addWidget(exportButton);
    layout->addLayout(buttons);
    auto* history = new QUndoView(stack);
    history->setEmptyLabel(tr("(no edits in this session)"));
    layout->addWidget(history, 1);

    connect(m_label, &QComboBox::activated, this, [this](int index) {
        if (index == 0) {
            m_stack->push(new SetGoldCommand(m_session, m_ref, {std::nullopt, currentGold(*m_session, m_ref).score}));
        } else {
            setGoldByIndex(index - 1);
        }
    });
    connect(m_score, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        if (m_ref.valid() && currentGold(*m_session, m_ref).score != v) setGoldScore(v);
    });
    connect(m_note, &QLineEdit::editingFinished, this, [this] {
        if (m_ref.valid() && m_note->text() != m_session->annotations()->note(m_ref)) setNote(m_note->text());
    });
    connect(m_reviewed, &QCheckBox::clicked, this, &AnnotationPanel::setReviewed);
    connect(exportButton, &QPushButton::clicked, this, &AnnotationPanel::exportEdits);
    // It edits the current utterance (CurrentUtterance says when that changes or its gold does).
    connect(session->current(), &CurrentUtterance::changed, this, [this, session] { setUtterance(session->current()->ref()); });
    connect(session->annotations(), &AnnotationSession::datasetOpened, this, [this] {
        m_stack->clear();  // the edits are kept in the store; their undo belongs to the old dataset
    });
    refresh();
}

QStringList AnnotationPanel::labels() const {
    const auto* manifest = m_session->model()->manifest();
    QStringList out;
    for (const auto& l : manifest && !manifest->labels.empty() ? manifest->labels : m_session->dataset().labels)
        out << QString::fromStdString(l);
    return out;
}

void AnnotationPanel::setUtterance(UtteranceRef ref) {
    m_ref = ref;
    refresh();
}

void AnnotationPanel::setGoldByIndex(int index) {
    const auto names = labels();
    if (!m_ref.valid() || index < 0 || index >= names.size()) return;
    auto value = currentGold(*m_session, m_ref);
    value.label = names[index].toStdString();
    if (value == currentGold(*m_session, m_ref)) return;
    m_stack->push(new SetGoldCommand(m_session, m_ref, value));
}

void AnnotationPanel::setGoldScore(double score) {
    if (!m_ref.valid()) return;
    auto value = currentGold(*m_session, m_ref);
    value.score = score;
    m_stack->push(new SetGoldCommand(m_session, m_ref, value));
}

void AnnotationPanel::setNote(const QString& note) {
    if (m_ref.valid()) m_stack->push(new SetNoteCommand(m_session, m_ref, note));
}

void AnnotationPanel::setReviewed(bool reviewed) {
    if (m_ref.valid() && reviewed != m_session->annotations()->reviewed(m_ref))
        m_stack->push(new SetReviewedCommand(m_session, m_ref, reviewed));
}

void AnnotationPanel::refresh() {
    const auto* u = m_session->annotations()->utterance(m_ref);
    setEnabled(u != nullptr);
    const QSignalBlocker b1(m_label), b2(m_score), b3(m_note), b4(m_reviewed);
    m_label->clear();
    m_label->addItem(tr("(none)"));
    const auto names = labels();
    for (int i = 0; i < names.size(); ++i) m_label->addItem(QStringLiteral("%1  %2").arg(i + 1).arg(names[i]));
    const bool regression = m_session->model()->isRegression() || (names.isEmpty() && u && u->goldScore);
    m_label->setVisible(!regression);
    m_score->setVisible(regression || (u && u->goldScore));
    if (!u) {
        m_title->setText(tr("No utterance on screen."));
        return;
    }
    m_title->setText(QStringLiteral("<b>%1</b> &nbsp; %2: %3")
                         .arg(QString::fromStdString(u->id).toHtmlEscaped(), QString::fromStdString(u->speaker).toHtmlEscaped(),
                              QString::fromStdString(u->text).toHtmlEscaped()));
    m_label->setCurrentIndex(u->goldLabel ? std::max(0, static_cast<int>(names.indexOf(QString::fromStdString(*u->goldLabel))) + 1) : 0);
    m_score->setValue(u->goldScore.value_or(0.0));
    m_note->setText(m_session->annotations()->note(m_ref));
    m_reviewed->setChecked(m_session->annotations()->reviewed(m_ref));
    m_original->setText(m_session->annotations()->goldEdited(m_ref) ? tr("changed (the dataset says otherwise)") : tr("unchanged"));
}

void AnnotationPanel::exportEdits() {
    auto* store = m_session->annotations()->store();
    if (!store) {
        QMessageBox::warning(this, tr("Export edits"), tr("There is no annotations store (see the status bar)."));
        return;
    }
    const auto path = QFileDialog::getSaveFileName(this, tr("Export this dataset's edits"), QStringLiteral("edits.csv"),
                                                   tr("CSV (*.csv);;JSON (*.json)"));
    if (path.isEmpty()) return;
    const auto written = path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)
                             ? store->exportJson(path.toStdString(), m_session->annotations()->datasetKey())
                             : store->exportCsv(path.toStdString(), m_session->annotations()->datasetKey());
    if (!written) QMessageBox::warning(this, tr("Export edits"), QString::fromStdString(written.error().message));
}

}  // namespace egmf::ui
