package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/karafka-actors/karafka-actors/events"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// strategyFor builds a supervision strategy that reports restarts and
// escalations as events. onEscalate, when set, is called on escalation too.
func strategyFor(d *deps, cfg supervision.Config, topic string, onEscalate func(error)) actor.SupervisorStrategy {
	return cfg.Build(supervision.Hooks{
		OnRestart: func(child *actor.PID, reason any, delay time.Duration, failures int) {
			err := asError(reason)
			d.log.Info("actor restarted", "actor", child.Id, "failures", failures, "delay", delay, "reason", err)
			d.bus.Publish(events.Event{Kind: events.ActorRestarted, Topic: topic, Actor: child.Id, Attempt: failures, Delay: delay, Err: err})
		},
		OnEscalate: func(child *actor.PID, reason any, failures int) {
			err := asError(reason)
			d.log.Error("restart limit reached, escalating", "actor", child.Id, "failures", failures, "reason", err)
			d.bus.Publish(events.Event{Kind: events.ActorEscalated, Topic: topic, Actor: child.Id, Attempt: failures, Err: err})
			if onEscalate != nil {
				onEscalate(fmt.Errorf("actor %s: restart limit reached after %d failures: %w", child.Id, failures, err))
			}
		},
	})
}

func routeStrategy(d *deps, r *topology.Resolved) actor.SupervisorStrategy {
	return strategyFor(d, r.SupervisionConfig, r.Topic, nil)
}

func asError(reason any) error {
	if err, ok := reason.(error); ok {
		return err
	}
	return fmt.Errorf("%v", reason)
}
