#include "plugin_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "egmf/build_info.h"
#include "egmf/engine.h"
#include "egmf/paths.h"
#include "host/plugin_host.h"

namespace egmf::ui {

QString describeCheckpoint(const CheckpointInfo& info, const QString& plugin) {
    const auto& m = info.manifest;
    QStringList labels;
    for (const auto& l : m.labels) labels << QString::fromStdString(l);
    QString html =
        QStringLiteral("<b>%1</b> read by <i>%2</i><br>").arg(QString::fromStdString(m.architecture).toUpper(), plugin.toHtmlEscaped());
    html += m.task == Task::Regression ? QObject::tr("Task: regression (score %1..%2)<br>").arg(m.scoreMin).arg(m.scoreMax)
                                       : QObject::tr("Task: classification, %1 labels: %2<br>")
                                             .arg(m.labels.size())
                                             .arg(labels.join(QStringLiteral(", ")).toHtmlEscaped());
    html += QObject::tr("Fusion d=%1, %2 heads; audio %3 dims, visual %4 dims<br>")
                .arg(m.fusionDim)
                .arg(m.fusionHeads)
                .arg(m.audioFeatureDim)
                .arg(m.visualFeatureDim);
    html += QObject::tr("LLM: %1, %2 layers, hidden %3, %4/%5 heads, vocabulary %6<br>")
                .arg(QString::fromStdString(m.llm.modelType))
                .arg(m.llm.numHiddenLayers)
                .arg(m.llm.hiddenSize)
                .arg(m.llm.numAttentionHeads)
                .arg(m.llm.numKeyValueHeads)
                .arg(m.llm.vocabSize);
    if (m.huggingFace) {
        html +=
            QObject::tr("Hugging Face base: <tt>%1</tt> (%2), adapter: <tt>%3</tt><br>")
                .arg(QString::fromStdString(m.huggingFace->baseModel).toHtmlEscaped(), QString::fromStdString(m.llm.torchDtype),
                     m.huggingFace->adapter.empty() ? QObject::tr("none") : QString::fromStdString(m.huggingFace->adapter).toHtmlEscaped());
    }
    html += m.lora ? QObject::tr("LoRA: rank %1, alpha %2 on %3<br>").arg(m.lora->rank).arg(m.lora->alpha).arg(QString::fromStdString([&] {
        std::string t;
        for (const auto& x : m.lora->targetModules) t += (t.empty() ? "" : ", ") + x;
        return t;
    }()))
                   : QObject::tr("LoRA: none<br>");
    html += QObject::tr("%1 parameters in %2 tensors<br>").arg(info.parameterCount).arg(info.tensorCount);
    const double gib = 1024.0 * 1024.0 * 1024.0;
    html += QObject::tr("Memory once loaded: about %1 GiB (float32), %2 GiB (bfloat16)<br>")
                .arg(static_cast<double>(estimateLoadedBytes(m, "float32")) / gib, 0, 'f', 2)
                .arg(static_cast<double>(estimateLoadedBytes(m, "bfloat16")) / gib, 0, 'f', 2);
    const auto provenance = nlohmann::json::parse(m.provenanceJson, nullptr, false);
    if (provenance.is_object() && provenance.contains("command")) {
        html +=
            QObject::tr("Trained by: <tt>%1</tt>").arg(QString::fromStdString(provenance["command"].get<std::string>()).toHtmlEscaped());
        if (provenance.contains("best_epoch")) html += QObject::tr(" (best epoch %1)").arg(provenance["best_epoch"].get<int>());
        html += QStringLiteral("<br>");
    }
    return html;
}

PluginPanel::PluginPanel(StudioSession* session, QWidget* parent) : QWidget(parent), m_session(session) {
    auto* layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, 5);
    m_table->setHorizontalHeaderLabels({tr("Plugin"), tr("Version"), tr("Formats"), tr("State"), tr("File")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(4, QHeaderView::Stretch);
    layout->addWidget(m_table, 1);
    auto* folders = new QHBoxLayout;
    auto* addFolder = new QPushButton(tr("Add plugin folder..."));
    auto* rescan = new QPushButton(tr("Rescan"));
    folders->addWidget(addFolder);
    folders->addWidget(rescan);
    folders->addStretch();
    layout->addLayout(folders);

    auto* choose = new QHBoxLayout;
    m_path = new QComboBox;
    m_path->setEditable(true);
    m_path->setInsertPolicy(QComboBox::NoInsert);
    m_path->lineEdit()->setPlaceholderText(tr("a checkpoint folder or file"));
    m_path->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_path->setMinimumContentsLength(24);
    auto* folder = new QPushButton(tr("Folder..."));
    auto* file = new QPushButton(tr("File..."));
    choose->addWidget(new QLabel(tr("Checkpoint")));
    choose->addWidget(m_path, 1);
    choose->addWidget(folder);
    choose->addWidget(file);
    layout->addLayout(choose);
    m_summary = new QTextBrowser;
    m_summary->setMinimumHeight(110);
    layout->addWidget(m_summary, 1);
    auto* loadRow = new QHBoxLayout;
    m_device = new QComboBox;
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    if (cudaAvailable()) m_device->addItem(tr("CUDA"), QStringLiteral("cuda"));
    m_load = new QPushButton(tr("Load"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop loading; the model in use stays"));
    m_cancel->hide();
    m_progress = new QProgressBar;
    m_progress->setRange(0, 100);
    m_progress->hide();
    loadRow->addWidget(new QLabel(tr("Device")));
    loadRow->addWidget(m_device);
    loadRow->addWidget(m_load);
    loadRow->addWidget(m_progress, 1);
    loadRow->addWidget(m_cancel);
    layout->addLayout(loadRow);

    connect(addFolder, &QPushButton::clicked, this, &PluginPanel::addFolder);
    connect(rescan, &QPushButton::clicked, this, [this] {
        m_session->model()->plugins().discover();
        refresh();
    });
    connect(folder, &QPushButton::clicked, this, [this] {
        const auto path = QFileDialog::getExistingDirectory(this, tr("A checkpoint folder"));
        if (!path.isEmpty()) inspect(path);
    });
    connect(file, &QPushButton::clicked, this, [this] {
        const auto path =
            QFileDialog::getOpenFileName(this, tr("A checkpoint file"), {}, tr("Checkpoints (*.egmf *.json *.safetensors);;All files (*)"));
        if (!path.isEmpty()) inspect(path);
    });
    connect(m_path->lineEdit(), &QLineEdit::returnPressed, this, [this] { inspect(m_path->currentText()); });
    connect(m_path, &QComboBox::activated, this, [this](int index) {
        const auto path = m_path->itemData(index).toString();
        if (!path.isEmpty()) inspect(path);
    });
    connect(m_load, &QPushButton::clicked, this, &PluginPanel::load);
    connect(m_cancel, &QPushButton::clicked, session->model(), &ModelSlot::cancelLoad);
    // Every load shows here, wherever it was started (File > Open checkpoint, Recent, the Engine menu).
    const auto busy = [this](bool loading) {
        m_load->setEnabled(!loading);
        m_progress->setVisible(loading);
        m_cancel->setVisible(loading);
    };
    connect(session->model(), &ModelSlot::loadStarted, this, [this, busy] {
        m_progress->setValue(0);
        busy(true);
    });
    connect(session->model(), &ModelSlot::loadProgress, this, [this](double f) { m_progress->setValue(static_cast<int>(f * 100)); });
    connect(session->model(), &ModelSlot::loaded, this, [this, busy] {
        busy(false);
        refresh();
    });
    connect(session->model(), &ModelSlot::loadFailed, this, [busy] { busy(false); });
    connect(session->model(), &ModelSlot::loaded, this, &PluginPanel::refreshChoices);
    refresh();
    refreshChoices();
}

void PluginPanel::refreshChoices() {
    const QSignalBlocker block(m_path);
    const QString typed = m_path->currentText();
    m_path->clear();
    std::error_code ignored;
    std::vector<std::filesystem::path> bundled;
    for (const auto& entry : std::filesystem::directory_iterator(shareDir() / "checkpoints", ignored)) {
        if (std::filesystem::exists(entry.path() / "manifest.json", ignored)) bundled.push_back(entry.path());
    }
    std::sort(bundled.begin(), bundled.end());
    QStringList seen;
    for (const auto& folder : bundled) {
        const auto path = QString::fromStdString(folder.string());
        m_path->addItem(tr("%1 (bundled)").arg(QString::fromStdString(folder.filename().string())), path);
        m_path->setItemData(m_path->count() - 1, path, Qt::ToolTipRole);
        seen << path;
    }
    for (const auto& path : QSettings().value(QStringLiteral("recentCheckpoints")).toStringList()) {
        if (seen.contains(path) || !std::filesystem::exists(path.toStdString())) continue;
        m_path->addItem(tr("%1 (recent)").arg(path), path);
        m_path->setItemData(m_path->count() - 1, path, Qt::ToolTipRole);
        seen << path;
    }
    m_path->setEditText(typed);
}

QStringList PluginPanel::choices() const {
    QStringList paths;
    for (int i = 0; i < m_path->count(); ++i) paths << m_path->itemData(i).toString();
    return paths;
}

void PluginPanel::refresh() {
    const auto& plugins = m_session->model()->plugins().plugins();
    m_table->setRowCount(static_cast<int>(plugins.size()));
    for (int row = 0; row < static_cast<int>(plugins.size()); ++row) {
        const auto& p = plugins[static_cast<std::size_t>(row)];
        const QStringList cells = {p.name, p.version, p.formats.join(QStringLiteral(", ")), QString::fromLatin1(plugin::stateName(p.state)),
                                   p.file};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setToolTip(p.reason.isEmpty() ? cells[c] : p.reason);
            if (!p.usable()) item->setForeground(QColor(170, 40, 40));
            m_table->setItem(row, c, item);
        }
    }
}

void PluginPanel::addFolder() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("A folder of checkpoint plugins"));
    if (folder.isEmpty()) return;
    QSettings settings;
    auto folders = settings.value(QStringLiteral("plugins/folders")).toStringList();
    if (!folders.contains(folder)) folders << folder;
    settings.setValue(QStringLiteral("plugins/folders"), folders);
    m_session->model()->setPluginFolders(folders);
    refresh();
}

bool PluginPanel::inspect(const QString& path) {
    m_path->setEditText(path);
    auto match = m_session->model()->plugins().loaderFor(path.toStdString());
    refresh();  // probing may have found broken plugins
    if (!match) {
        m_summary->setHtml(QStringLiteral("<span style='color:#a00'>%1</span>")
                               .arg(QString::fromStdString(match.error().message).toHtmlEscaped().replace('\n', QStringLiteral("<br>"))));
        return false;
    }
    auto info = match->loader->inspect(path.toStdString());
    if (!info) {
        m_summary->setHtml(
            QStringLiteral("<span style='color:#a00'>%1</span>").arg(QString::fromStdString(info.error().message).toHtmlEscaped()));
        return false;
    }
    m_summary->setHtml(describeCheckpoint(*info, m_session->model()->plugins().plugins()[match->index].name));
    return true;
}

void PluginPanel::load() {
    if (m_path->currentText().isEmpty()) return;
    m_session->model()->load(m_path->currentText(), m_device->currentData().toString());
}

QString PluginPanel::summaryText() const {
    return m_summary->toPlainText();
}

}  // namespace egmf::ui
