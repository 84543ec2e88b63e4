package dev.trainyard.spark.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One publisher at a time per output on local disk: an OS file lock on the hidden sibling {@code
 * .NAME.lock} (held across processes, released by the OS when a process dies, so a killed worker
 * never leaves it stuck) plus a lock per path inside this JVM (the OS lock is per process). The
 * lock file stays beside the output; deleting it while another process waits would split the lock.
 * Other file systems get no lock (see {@code docs/guarantees.md}).
 */
final class PublishLock implements Closeable {
  private static final ConcurrentHashMap<String, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final ReentrantLock jvm;
  private final FileChannel channel;
  private final FileLock lock;

  private PublishLock(ReentrantLock jvm, FileChannel channel, FileLock lock) {
    this.jvm = jvm;
    this.channel = channel;
    this.lock = lock;
  }

  /** Waits until no other publisher of {@code out} (a qualified path) holds the lock. */
  static PublishLock acquire(FileSystem fs, Path out) throws IOException {
    if (!fs.getScheme().equals("file")) {
      return new PublishLock(null, null, null);
    }
    java.nio.file.Path parent = Paths.get(out.getParent().toUri());
    Files.createDirectories(parent);
    java.nio.file.Path file = parent.resolve("." + out.getName() + ".lock");
    ReentrantLock jvm = IN_JVM.computeIfAbsent(file.toString(), k -> new ReentrantLock());
    jvm.lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      return new PublishLock(jvm, channel, channel.lock());
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      jvm.unlock();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    if (jvm == null) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } finally {
      jvm.unlock();
    }
  }
}
