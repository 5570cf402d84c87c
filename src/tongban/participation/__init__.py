"""Public participation: comment on draft policies (征求意见) and surveys (民意调查)."""
