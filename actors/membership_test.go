package actors

import (
	"fmt"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	"github.com/karafka-actors/karafka-actors/client"
)

func TestRefusedSetting(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("join: %w", client.Coded(sarama.ErrInvalidSessionTimeout, int16(sarama.ErrInvalidSessionTimeout))), "consumer.session_timeout"},
		{client.Coded(sarama.ErrFencedInstancedId, int16(sarama.ErrFencedInstancedId)), "consumer.instance_id"},
		{client.ErrGroupAuthorizationFailed, "ACLs"},
		{fmt.Errorf("transactional producer: %w", client.ErrInvalidTransactionTimeout), "transaction.timeout"},
		{sarama.ErrOutOfBrokers, ""},
	} {
		if got := refusedSetting(tc.err); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("refusedSetting(%v) = %q, want it to name %q", tc.err, got, tc.want)
		}
	}
}
