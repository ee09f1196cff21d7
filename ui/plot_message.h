#pragma once
// A message over the middle of a plot ("no utterance", "analysing...", why a map is empty),
// word-wrapped to the plot's width and kept centred as it resizes. A QCPItemText, which the
// views used before, is clipped at the axis rect: a long message lost its first words.

#include <QLabel>

namespace egmf::ui {

class PlotMessage : public QLabel {
    Q_OBJECT
public:
    explicit PlotMessage(QWidget* plot);
    /// Shows `message` over the plot; an empty one hides it.
    void setMessage(const QString& message);
    QString message() const { return text(); }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void place();
};

}  // namespace egmf::ui
