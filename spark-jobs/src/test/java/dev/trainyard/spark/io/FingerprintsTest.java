package dev.trainyard.spark.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintsTest {
  @TempDir Path dir;

  private Path dataset() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data/part=1"));
    Files.write(data.resolve("a.parquet"), new byte[] {1, 2, 3, 4});
    Files.write(dir.resolve("data/b.parquet"), new byte[200_000]);
    Files.write(dir.resolve("data/_SUCCESS"), new byte[0]);
    Files.write(dir.resolve("data/.b.parquet.crc"), new byte[] {9});
    return dir.resolve("data");
  }

  @Test
  void stableForTheSameBytesAndCountsFilesAndBytes() throws Exception {
    Path data = dataset();
    DatasetFingerprint first = Fingerprints.of(data.toUri().toString());
    DatasetFingerprint second = Fingerprints.of(data.toString());

    assertThat(second).isEqualTo(first);
    assertThat(first.files()).isEqualTo(2);
    assertThat(first.bytes()).isEqualTo(200_004);
    assertThat(first.sha256()).hasSize(64);
    // Hidden and marker files are not content.
    Files.write(data.resolve("_SUCCESS"), new byte[] {1});
    assertThat(Fingerprints.of(data.toString())).isEqualTo(first);
  }

  @Test
  void changesWhenOneByteChangesOrAFileMoves() throws Exception {
    Path data = dataset();
    DatasetFingerprint before = Fingerprints.of(data.toString());

    byte[] bytes = Files.readAllBytes(data.resolve("b.parquet"));
    bytes[123_456] = 1;
    Files.write(data.resolve("b.parquet"), bytes);
    DatasetFingerprint changed = Fingerprints.of(data.toString());
    Files.move(data.resolve("b.parquet"), data.resolve("c.parquet"));
    DatasetFingerprint moved = Fingerprints.of(data.toString());

    assertThat(changed.sha256()).isNotEqualTo(before.sha256());
    assertThat(changed.bytes()).isEqualTo(before.bytes());
    assertThat(moved.sha256()).isNotEqualTo(changed.sha256());
  }

  @Test
  void hadoopFileSystemsGiveTheSameFingerprint() throws Exception {
    Path data = dataset();
    // Other schemes (s3a) go through Hadoop's FileSystem; its local one stands in for them.
    DatasetFingerprint viaHadoop =
        Fingerprints.viaHadoop(data.toUri().toString(), new org.apache.hadoop.conf.Configuration());

    assertThat(viaHadoop).isEqualTo(Fingerprints.of(data.toString()));
  }

  @Test
  void aSingleFileIsHashedByContentAlone() throws Exception {
    Files.write(dir.resolve("one.csv"), "a,b\n1,2\n".getBytes());
    Files.write(dir.resolve("two.csv"), "a,b\n1,2\n".getBytes());
    assertThat(Fingerprints.of(dir.resolve("one.csv").toString()))
        .isEqualTo(Fingerprints.of(dir.resolve("two.csv").toUri().toString()));
    assertThatThrownBy(() -> Fingerprints.of(dir.resolve("none").toString()))
        .isInstanceOf(DataInputException.class)
        .hasMessageContaining("does not exist");
  }
}
