package responders

import (
	"errors"
	"fmt"
	"strings"

	"github.com/karafka-actors/karafka-actors/producer"
)

// Deliver runs one response: r.Respond into a fresh Output, then validation
// of everything it buffered against r.Topics. It returns the messages, in the
// order RespondTo was called, only if the whole response is valid.
//
// An error from Respond is returned wrapped as "responders: respond: ...".
// Otherwise every validation problem is a *TopicError naming its topic, and
// they are returned together with errors.Join:
//   - ErrEncode: data that could not be JSON encoded;
//   - ErrSchema: data that does not fit its topic's Schema (any other error
//     of a Schema, such as a registry outage, is returned as it is);
//   - ErrUnregisteredTopic: a topic that is not declared (once per topic);
//   - ErrMultipleUsage: a single-use topic used more than once (once per
//     topic, with the count);
//   - ErrRequiredTopicUnused: a required topic never used.
//
// Deliver does not recover panics from Respond; the caller does.
func Deliver(r Responder, args ...any) ([]producer.Message, error) {
	topics := r.Topics()
	out := &Output{topics: topics}
	if len(topics) <= len(out.first) {
		out.msgs = out.first[:0]
	} else {
		out.msgs = make([]producer.Message, 0, len(topics))
	}
	if err := r.Respond(out, args...); err != nil {
		return nil, fmt.Errorf("responders: respond: %w", err)
	}
	if err := validate(topics, out); err != nil {
		return nil, err
	}
	return out.msgs, nil
}

// validate checks out against topics without maps: a response declares a
// handful of topics, so linear scans and a stack array of counts are cheapest.
func validate(topics []Topic, out *Output) error {
	var small [8]int
	var counts []int
	if len(topics) <= len(small) {
		counts = small[:len(topics)]
	} else {
		counts = make([]int, len(topics))
	}
	errs := out.errs
	for i, m := range out.msgs {
		idx := topicIndex(topics, m.Topic)
		if idx >= 0 {
			counts[idx]++
			continue
		}
		if topicIndexMsgs(out.msgs[:i], m.Topic) < 0 {
			errs = append(errs, &TopicError{Topic: m.Topic,
				Err: fmt.Errorf("%w (declared: %s)", ErrUnregisteredTopic, declaredNames(topics))})
		}
	}
	for i, t := range topics {
		if topicIndex(topics[:i], t.Name) >= 0 {
			continue // a duplicate declaration; counted on its first one
		}
		switch {
		case counts[i] > 1 && !t.MultipleUsage:
			errs = append(errs, &TopicError{Topic: t.Name,
				Err: fmt.Errorf("%w: used %d times", ErrMultipleUsage, counts[i])})
		case counts[i] == 0 && t.Required:
			errs = append(errs, &TopicError{Topic: t.Name, Err: ErrRequiredTopicUnused})
		}
	}
	return errors.Join(errs...)
}

func topicIndex(topics []Topic, name string) int {
	for i := range topics {
		if topics[i].Name == name {
			return i
		}
	}
	return -1
}

func topicIndexMsgs(msgs []producer.Message, name string) int {
	for i := range msgs {
		if msgs[i].Topic == name {
			return i
		}
	}
	return -1
}

func declaredNames(topics []Topic) string {
	if len(topics) == 0 {
		return "none"
	}
	names := make([]string, len(topics))
	for i, t := range topics {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}
