package karafkatest

import (
	"errors"
	"strings"
	"testing"

	"github.com/IBM/sarama"
)

// Produce's failure names each record and why (rough edge 1 of issue 18:
// it said only "kafka: Failed to deliver 1 messages").
func TestDescribeProduce_namesEachRecordAndTheLimit(t *testing.T) {
	err := describeProduce(sarama.ProducerErrors{
		{Msg: &sarama.ProducerMessage{Metadata: 1, Partition: 0}, Err: sarama.ErrMessageSizeTooLarge},
	})
	if !errors.Is(err, sarama.ErrMessageSizeTooLarge) || !strings.Contains(err.Error(), "records[1]") || !strings.Contains(err.Error(), "max.message.bytes") {
		t.Fatalf("error %q: want the record's index and the topic's limit named", err)
	}
}
