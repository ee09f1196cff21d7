#pragma once
// The cross-attention map of the utterance on screen (QCustomPlot colour map): text tokens (rows,
// labelled with their pieces) x audio-visual positions (columns, audio then visual, split by a
// line), in either direction (text -> audio-visual or audio-visual -> text, drawn on the same
// axes), for one head or the mean over heads. A cursor follows playback at the positions whose
// times are nearest the clock; clicking a cell asks the player to seek to that column's time.

#include <QWidget>
#include <optional>

#include "egmf/analysis.h"

class QCustomPlot;
class QCPColorMap;
class QCPItemStraightLine;

class QComboBox;

namespace egmf::ui {

class CurrentUtterance;
class PlotMessage;

class AttentionView : public QWidget {
    Q_OBJECT
public:
    enum class Direction { TextToAv, AvToText };
    explicit AttentionView(QWidget* parent = nullptr);

    /// Draws `current`'s result from now on, whenever it changes.
    void follow(const CurrentUtterance* current);
    /// The result to draw; null: nothing (with `status`, e.g. "analysing...").
    void setResult(const UtteranceResult* result, const QString& status = {});
    void setDirection(Direction direction);
    /// -1: mean over heads; else the head.
    void setHead(int head);
    int head() const { return m_head; }
    int heads() const;
    /// The clock, seconds into the clip: moves the cursor.
    void setTime(double clipTimeSec);

    /// What the colour map holds at (text token, audio-visual position), for tests.
    double cellValue(int token, int avPosition) const;
    /// The value the result gives there for the current direction and head (the mean when -1).
    static double expectedValue(const UtteranceResult& result, Direction direction, int head, int token, int avPosition);
    int cursorColumn() const { return m_cursorColumn; }
    QCustomPlot* plot() const { return m_plot; }

Q_SIGNALS:
    void seekRequested(double clipTimeSec);

private:
    void rebuild();
    QCustomPlot* m_plot;
    QCPColorMap* m_map;
    QCPItemStraightLine *m_cursorAudio, *m_cursorVisual, *m_split;
    PlotMessage* m_status;
    QComboBox *m_directionBox, *m_headBox;
    std::optional<UtteranceResult> m_result;
    Direction m_direction = Direction::TextToAv;
    int m_head = -1;
    int m_cursorColumn = -1;
};

}  // namespace egmf::ui
