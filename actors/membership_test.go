package actors

import (
	"fmt"
	"strings"
	"testing"

	"github.com/IBM/sarama"
)

func TestRefusedSetting(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("join: %w", sarama.ErrInvalidSessionTimeout), "consumer.session_timeout"},
		{sarama.ErrFencedInstancedId, "consumer.instance_id"},
		{sarama.ErrGroupAuthorizationFailed, "ACLs"},
		{fmt.Errorf("transactional producer: %w", sarama.ErrInvalidTransactionTimeout), "transaction.timeout"},
		{sarama.ErrOutOfBrokers, ""},
	} {
		if got := refusedSetting(tc.err); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("refusedSetting(%v) = %q, want it to name %q", tc.err, got, tc.want)
		}
	}
}
