#include "player_controls.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

#include "player_controller.h"

namespace egmf::ui {
namespace {

QString clock(double seconds) {
    const int tenths = static_cast<int>(seconds * 10 + 0.5);
    return QStringLiteral("%1:%2.%3").arg(tenths / 600).arg((tenths / 10) % 60, 2, 10, QLatin1Char('0')).arg(tenths % 10);
}

}  // namespace

PlayerControls::PlayerControls(PlayerController* player, QWidget* parent) : QWidget(parent), m_player(player) {
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    const auto button = [this, row](QStyle::StandardPixmap icon, const QString& tip) {
        auto* b = new QToolButton;
        b->setIcon(style()->standardIcon(icon));
        b->setToolTip(tip);
        b->setAutoRaise(true);
        row->addWidget(b);
        return b;
    };
    m_back = button(QStyle::SP_MediaSeekBackward, tr("Previous frame (,)"));
    m_play = button(QStyle::SP_MediaPlay, tr("Play / pause (Space)"));
    m_forward = button(QStyle::SP_MediaSeekForward, tr("Next frame (.)"));
    m_time = new QLabel;
    m_time->setMinimumWidth(110);
    row->addWidget(m_time);
    row->addStretch();
    row->addWidget(new QLabel(tr("Speed")));
    m_speed = new QComboBox;
    for (double s : {0.5, 0.75, 1.0, 1.25, 1.5, 2.0}) m_speed->addItem(QStringLiteral("%1x").arg(s), s);
    m_speed->setCurrentIndex(2);
    row->addWidget(m_speed);
    row->addWidget(new QLabel(tr("Volume")));
    m_volume = new QSlider(Qt::Horizontal);
    m_volume->setRange(0, 100);
    m_volume->setValue(80);
    m_volume->setMaximumWidth(100);
    row->addWidget(m_volume);

    connect(m_play, &QToolButton::clicked, player, &PlayerController::togglePlay);
    connect(m_back, &QToolButton::clicked, player, [player] { player->stepFrame(-1); });
    connect(m_forward, &QToolButton::clicked, player, [player] { player->stepFrame(1); });
    connect(m_speed, &QComboBox::currentIndexChanged, player, [this] { m_player->setSpeed(m_speed->currentData().toDouble()); });
    connect(m_volume, &QSlider::valueChanged, player, [this](int v) { m_player->audio()->setVolume(v / 100.0); });
    connect(player, &PlayerController::playingChanged, this,
            [this](bool playing) { m_play->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay)); });
    connect(player, &PlayerController::tick, this, &PlayerControls::updateTime);
    player->audio()->setVolume(0.8);
    updateTime();
}

void PlayerControls::updateTime() {
    m_time->setText(QStringLiteral("%1 / %2").arg(clock(m_player->dialogueTime()), clock(m_player->clips().duration())));
}

}  // namespace egmf::ui
