package dev.trainyard.activities.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.failure.ApplicationFailure;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class FailuresTest {
  @Test
  void anUnexpectedFailureBecomesOneShortRetryableMessageWithItsRootCause() {
    // Like a Spark job that lost S3: a long first line, then task stack traces and nested causes.
    Exception spark =
        new Exception(
            "Job aborted due to stage failure: " + "x".repeat(5000) + "\n\tat some.Frame(F.java:1)",
            new RuntimeException("getFileStatus on s3a://b/k", new ConnectException("refused")));

    RuntimeException f = Failures.retryable(spark);

    assertThat(f).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure a = (ApplicationFailure) f;
    assertThat(a.isNonRetryable()).isFalse();
    assertThat(a.getType()).isEqualTo("Exception");
    assertThat(a.getCause()).isNull();
    assertThat(a.getStackTrace()).isEmpty();
    assertThat(a.getOriginalMessage())
        .hasSizeLessThanOrEqualTo(Failures.MAX_MESSAGE)
        .startsWith("Exception: Job aborted due to stage failure: xxx")
        .endsWith("(root cause: ConnectException: refused)")
        .doesNotContain("some.Frame");
  }

  @Test
  void temporalsOwnFailuresPassUnchanged() {
    ApplicationFailure bad = ApplicationFailure.newNonRetryableFailure("bad input", "BadInputData");

    assertThat(Failures.retryable(bad)).isSameAs(bad);
  }
}
