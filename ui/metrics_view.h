#pragma once
// The metrics of the analysed part of the loaded split, updated as the analysis proceeds: for a
// classifier, accuracy, weighted and macro F1, Cohen's kappa and the confusion matrix (a colour
// map with counts; a click filters the dialogue browser to that gold/predicted cell); for an MSA
// checkpoint, MAE, Pearson, Acc-2 and Acc-7 with gold against predicted as a scatter. The
// metrics are the project's (egmf_eval, equal to scikit-learn).
//
// Each dialogue's contribution (its gold/predicted pairs) is kept, so a result or a gold edit
// changes the figures by that dialogue alone; a classifier's report comes from the counted pairs
// (eval::classifyCounts), whatever the number of utterances analysed.

#include <QTimer>
#include <QWidget>
#include <map>
#include <vector>

#include "egmf/app/metrics.h"

#include "studio_session.h"

class QCustomPlot;
class QCPColorMap;
class QCPGraph;
class QLabel;

namespace egmf::ui {

class MetricsView : public QWidget {
    Q_OBJECT
public:
    explicit MetricsView(StudioSession* session, QWidget* parent = nullptr);
    void setSplit(const QString& split);
    /// Recounts every dialogue (a new dataset, model or split).
    void recompute();
    /// The confusion matrix as drawn ([gold][predicted]) and its labels, for tests.
    const std::vector<std::vector<std::int64_t>>& confusion() const { return m_confusion; }
    const std::vector<std::string>& labels() const { return m_labels; }
    double mapCell(int gold, int predicted) const;
    QString summary() const;
    QCustomPlot* plot() const { return m_plot; }

Q_SIGNALS:
    void cellClicked(QString gold, QString predicted);

private:
    struct Contribution {
        std::vector<std::pair<std::string, std::string>> labels;  ///< gold, predicted
        std::vector<std::pair<double, double>> scores;            ///< gold, predicted
        int analysed = 0;
    };
    /// Replaces dialogue `d`'s contribution with what it holds now.
    void update(int dialogue);
    /// Redraws the figures from the contributions.
    void redraw();

    StudioSession* m_session;
    std::map<int, Contribution> m_contributions;
    eval::LabelPairCounts m_pairs;
    int m_analysed = 0, m_total = 0;
    QString m_split;
    QLabel* m_text;
    QCustomPlot* m_plot;
    QCPColorMap* m_map;
    QCPGraph* m_scatter;
    QTimer m_throttle;
    std::vector<std::vector<std::int64_t>> m_confusion;
    std::vector<std::string> m_labels;
};

}  // namespace egmf::ui
