package dev.trainyard.training;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * One numeric column of one row group, decoded a whole page at a time into plain arrays of
 * repetition levels, definition levels and values, then walked entry by entry.
 *
 * <p>Why not parquet-mr's {@code ColumnReader}: it decodes levels and values one entry at a time
 * through several virtual calls and a state check per entry, which for a list of 32 floats per row
 * cost more CPU than the training step the rows feed (the reader shares two cores with PyTorch).
 * Here the common encodings — RLE/bit-packed levels, PLAIN and dictionary values — are decoded in
 * bulk; any other encoding goes through parquet-mr's own {@link ValuesReader} for that encoding, so
 * every valid file still reads.
 */
final class ColumnPages {
  private final PageReader pages;
  private final ColumnDescriptor column;
  private final PrimitiveTypeName type;
  private final int maxRepetition;
  private final int maxDefinition;
  private final Dictionary dictionary;

  private int[] repetition = new int[0];
  private int[] definition = new int[0];
  private int[] ids = new int[0];
  private double[] values = new double[0];
  private int count;
  private int position;
  private int valuePosition;

  /**
   * @throws IOException when the dictionary page cannot be decoded
   */
  ColumnPages(PageReader pages, ColumnDescriptor column) throws IOException {
    this.pages = pages;
    this.column = column;
    this.type = column.getPrimitiveType().getPrimitiveTypeName();
    this.maxRepetition = column.getMaxRepetitionLevel();
    this.maxDefinition = column.getMaxDefinitionLevel();
    DictionaryPage page = pages.readDictionaryPage();
    this.dictionary = page == null ? null : page.getEncoding().initDictionary(column, page);
  }

  /** Whether there is a current entry; loads the next page when this one is used up. */
  boolean hasNext() throws IOException {
    while (position == count) {
      DataPage page = pages.readPage();
      if (page == null) {
        return false;
      }
      load(page);
    }
    return true;
  }

  int repetitionLevel() {
    return repetition[position];
  }

  int definitionLevel() {
    return definition[position];
  }

  /** Whether the current entry holds a value (is defined down to the leaf). */
  boolean isDefined() {
    return definition[position] == maxDefinition;
  }

  /** The current entry's value; only when {@link #isDefined()}. */
  double value() {
    return values[valuePosition];
  }

  void consume() {
    if (definition[position] == maxDefinition) {
      valuePosition++;
    }
    position++;
  }

  private void load(DataPage page) throws IOException {
    int n = page.getValueCount();
    ensureCapacity(n);
    ByteBufferInputStream data;
    Encoding valueEncoding;
    if (page instanceof DataPageV1 v1) {
      ByteBufferInputStream in = v1.getBytes().toInputStream();
      levels(in, v1.getRlEncoding(), ValuesType.REPETITION_LEVEL, maxRepetition, repetition, n);
      levels(in, v1.getDlEncoding(), ValuesType.DEFINITION_LEVEL, maxDefinition, definition, n);
      data = in;
      valueEncoding = v1.getValueEncoding();
    } else {
      DataPageV2 v2 = (DataPageV2) page;
      if (v2.isCompressed()) {
        throw new IOException("a compressed page came back from the page reader undecoded");
      }
      hybrid(v2.getRepetitionLevels(), maxRepetition, repetition, n);
      hybrid(v2.getDefinitionLevels(), maxDefinition, definition, n);
      data = v2.getData().toInputStream();
      valueEncoding = v2.getDataEncoding();
    }
    int defined = 0;
    for (int i = 0; i < n; i++) {
      if (definition[i] == maxDefinition) {
        defined++;
      }
    }
    values(data, valueEncoding, defined);
    count = n;
    position = 0;
    valuePosition = 0;
  }

  private void ensureCapacity(int n) {
    if (repetition.length < n + 8) { // bit-packed runs decode in groups of 8
      repetition = new int[n + 8];
      definition = new int[n + 8];
      values = new double[n];
      ids = new int[n + 8];
    }
  }

  /** Levels of a V1 page: RLE with a length prefix (fast), or whatever parquet-mr decodes. */
  private void levels(
      ByteBufferInputStream in, Encoding encoding, ValuesType kind, int max, int[] out, int n)
      throws IOException {
    if (max == 0) {
      Arrays.fill(out, 0, n, 0);
    } else if (encoding == Encoding.RLE) {
      int length = BytesUtils.readIntLittleEndian(in);
      decodeHybrid(in.slice(length), BytesUtils.getWidthFromMaxInt(max), out, n);
    } else {
      ValuesReader reader = encoding.getValuesReader(column, kind);
      reader.initFromPage(n, in);
      for (int i = 0; i < n; i++) {
        out[i] = reader.readInteger();
      }
    }
  }

  /** Levels of a V2 page: always RLE/bit-packed, without a length prefix. */
  private static void hybrid(BytesInput levels, int max, int[] out, int n) throws IOException {
    if (max == 0) {
      Arrays.fill(out, 0, n, 0);
    } else {
      decodeHybrid(levels.toByteBuffer(), BytesUtils.getWidthFromMaxInt(max), out, n);
    }
  }

  private void values(ByteBufferInputStream in, Encoding encoding, int n) throws IOException {
    if (encoding == Encoding.PLAIN && type != PrimitiveTypeName.BOOLEAN) {
      int width = type == PrimitiveTypeName.DOUBLE || type == PrimitiveTypeName.INT64 ? 8 : 4;
      ByteBuffer buffer = in.slice(n * width).order(ByteOrder.LITTLE_ENDIAN);
      int base = buffer.position();
      for (int i = 0; i < n; i++) {
        int at = base + i * width;
        values[i] =
            switch (type) {
              case FLOAT -> buffer.getFloat(at);
              case DOUBLE -> buffer.getDouble(at);
              case INT32 -> buffer.getInt(at);
              default -> buffer.getLong(at);
            };
      }
    } else if (encoding.usesDictionary() && dictionary != null) {
      int bitWidth = in.read();
      decodeHybrid(in.slice(in.available()), bitWidth, ids, n);
      for (int i = 0; i < n; i++) {
        values[i] =
            switch (type) {
              case FLOAT -> dictionary.decodeToFloat(ids[i]);
              case DOUBLE -> dictionary.decodeToDouble(ids[i]);
              case INT32 -> dictionary.decodeToInt(ids[i]);
              default -> dictionary.decodeToLong(ids[i]);
            };
      }
    } else {
      ValuesReader reader =
          encoding.usesDictionary()
              ? encoding.getDictionaryBasedValuesReader(column, ValuesType.VALUES, dictionary)
              : encoding.getValuesReader(column, ValuesType.VALUES);
      reader.initFromPage(n, in);
      for (int i = 0; i < n; i++) {
        values[i] =
            switch (type) {
              case FLOAT -> reader.readFloat();
              case DOUBLE -> reader.readDouble();
              case INT32 -> reader.readInteger();
              default -> reader.readLong();
            };
      }
    }
  }

  /**
   * Decodes {@code n} values of Parquet's RLE/bit-packing hybrid encoding into {@code out} (which
   * has room for 8 more: a bit-packed run is padded to a multiple of 8 values).
   */
  private static void decodeHybrid(ByteBuffer in, int bitWidth, int[] out, int n)
      throws IOException {
    int bytesPerValue = (bitWidth + 7) / 8;
    BytePacker packer = Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
    int at = in.position();
    int end = in.limit();
    int i = 0;
    while (i < n) {
      if (at >= end) {
        throw new IOException("levels or ids end after " + i + " of " + n + " values");
      }
      int header = 0;
      int shift = 0;
      int b;
      do {
        b = in.get(at++) & 0xFF;
        header |= (b & 0x7F) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      if ((header & 1) == 0) {
        int run = header >>> 1;
        int value = 0;
        for (int k = 0; k < bytesPerValue; k++) {
          value |= (in.get(at++) & 0xFF) << (8 * k);
        }
        int stop = Math.min(n, i + run);
        Arrays.fill(out, i, stop, value);
        i = stop;
      } else {
        int groups = header >>> 1;
        for (int g = 0; g < groups && i < n; g++) {
          packer.unpack8Values(in, at, out, i);
          at += bitWidth;
          i += 8;
        }
      }
    }
  }
}
