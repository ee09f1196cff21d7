#pragma once
// The transport row under the video: play/pause, frame step back and forward, speed (0.5-2x),
// volume, and the time in the dialogue. Drives a PlayerController and follows its signals.

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace egmf::ui {

class PlayerController;

class PlayerControls : public QWidget {
    Q_OBJECT
public:
    PlayerControls(PlayerController* player, QWidget* parent = nullptr);
    void updateTime();

private:
    PlayerController* m_player;
    QToolButton *m_play, *m_back, *m_forward;
    QComboBox* m_speed;
    QSlider* m_volume;
    QLabel* m_time;
};

}  // namespace egmf::ui
