package io.jflannel.core.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DiffTest {
  record Obj(String key, int value) {}

  @Test
  void equalSidesCostNothing() {
    List<Obj> s = List.of(new Obj("a", 1), new Obj("b", 2));
    assertThat(Diff.of(s, s, Obj::key).isEmpty()).isTrue();
  }

  @Test
  void missingAndChangedObjectsAreUpsertedAndUnwantedOnesDeleted() {
    Diff<Obj> d =
        Diff.of(
            List.of(new Obj("a", 1), new Obj("b", 3), new Obj("c", 4)),
            List.of(new Obj("a", 1), new Obj("b", 2), new Obj("x", 9)),
            Obj::key);
    assertThat(d.upserts()).containsExactly(new Obj("b", 3), new Obj("c", 4));
    assertThat(d.deletes()).containsExactly(new Obj("x", 9));
  }

  @Test
  void aStaleDuplicateBesideTheRightObjectIsDeleted() {
    Diff<Obj> d =
        Diff.of(List.of(new Obj("a", 1)), List.of(new Obj("a", 1), new Obj("a", 7)), Obj::key);
    assertThat(d.upserts()).isEmpty();
    assertThat(d.deletes()).containsExactly(new Obj("a", 7));
  }

  @Test
  void aStaleDuplicateBeforeTheRightObjectIsDeletedToo() {
    Diff<Obj> d =
        Diff.of(List.of(new Obj("a", 1)), List.of(new Obj("a", 7), new Obj("a", 1)), Obj::key);
    assertThat(d.upserts()).isEmpty();
    assertThat(d.deletes()).containsExactly(new Obj("a", 7));
  }

  @Test
  void aWrongObjectAloneIsReplacedNotDeleted() {
    Diff<Obj> d = Diff.of(List.of(new Obj("a", 1)), List.of(new Obj("a", 7)), Obj::key);
    assertThat(d.upserts()).containsExactly(new Obj("a", 1));
    assertThat(d.deletes()).isEmpty();
  }

  @Test
  void theLaterOfTwoWantedObjectsWithOneKeyIsTheOneWanted() {
    List<Obj> wanted = List.of(new Obj("a", 1), new Obj("a", 2));
    assertThat(Diff.of(wanted, List.of(new Obj("a", 2)), Obj::key).isEmpty()).isTrue();
    Diff<Obj> d = Diff.of(wanted, List.of(new Obj("a", 1)), Obj::key);
    assertThat(d.upserts()).containsExactly(new Obj("a", 1), new Obj("a", 2));
    assertThat(d.deletes()).isEmpty();
  }
}
