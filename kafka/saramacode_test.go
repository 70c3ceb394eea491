package kafka

import (
	"errors"
	"fmt"
	"testing"

	"github.com/IBM/sarama"
)

// A failed SASL login comes back from sarama.NewClient inside sarama's
// sentinel wrapping, which errors.As cannot see through: its code is found
// all the same (an admin treated it as unreachable and retried it until
// its deadline).
func TestSaramaCode(t *testing.T) {
	sasl := sarama.Wrap(sarama.ErrOutOfBrokers, fmt.Errorf("kafka server: %w", sarama.ErrSASLAuthenticationFailed))
	if _, ok := errors.AsType[sarama.KError](sasl); ok {
		t.Log("errors.As now finds it too")
	}
	for _, tc := range []struct {
		err  error
		code int16
		ok   bool
	}{
		{sasl, 58, true},
		{fmt.Errorf("x: %w", sarama.ErrUnknownTopicOrPartition), 3, true},
		{sarama.ErrOutOfBrokers, 0, false},
		{sarama.ErrNoError, 0, false},
		{nil, 0, false},
	} {
		if code, ok := SaramaCode(tc.err); code != tc.code || ok != tc.ok {
			t.Errorf("SaramaCode(%v) = %d, %v; want %d, %v", tc.err, code, ok, tc.code, tc.ok)
		}
	}
}
