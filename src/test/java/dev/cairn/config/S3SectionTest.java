package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.s3.S3Location;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The s3: section: defaults, every key, and problems with their key paths, never echoing a secret. */
class S3SectionTest {
  private final Problems problems = new Problems();

  private S3Section.Parsed read(String yaml, Map<String, String> env) {
    Section top = Section.of(YamlSource.compose(yaml, "t.yaml"), "", 0, problems, env);
    return S3Section.read(top.sections("repositories").get(0).section("s3"));
  }

  @Test
  void aFullSectionGivesEveryKeyAndTheKeyFromTheEnvironment() {
    S3Section.Parsed p = read("""
        repositories:
          - s3:
              endpoint: https://s3.eu-central-1.amazonaws.com
              region: eu-central-1
              bucket: acme-db-backups
              prefix: prod
              storage_class: {archives: STANDARD_IA, catalog: STANDARD}
              sse: aws:kms
              kms_key_id: alias/backups
              part_size: 64MB
              checksum: crc32c
              access_key_id: ${KEY}
              secret_access_key: ${SECRET}
        """, Map.of("KEY", "AKIAEXAMPLE", "SECRET", "s3cr3t"));
    assertEquals(List.of(), problems.lines());
    S3Location l = p.location();
    assertEquals(URI.create("https://s3.eu-central-1.amazonaws.com"), l.endpoint());
    assertEquals("prod/", l.prefix());
    assertEquals("STANDARD_IA", l.archiveStorageClass());
    assertEquals("STANDARD", l.metaStorageClass());
    assertEquals("aws:kms", l.sse());
    assertEquals(64L << 20, l.partSize());
    assertTrue(l.crc32c());
    assertFalse(l.pathStyle());
    assertEquals("AKIAEXAMPLE", p.credentials().accessKeyId());
    assertFalse(p.credentials().toString().contains("s3cr3t"));
  }

  @Test
  void theEndpointDefaultsToAwsForTheRegionAndTheKeyToTheEnvironment() {
    S3Section.Parsed p = read("repositories:\n  - s3: {region: us-west-2, bucket: b-1, path_style: true}\n", Map.of());
    assertEquals(List.of(), problems.lines());
    assertEquals(URI.create("https://s3.us-west-2.amazonaws.com"), p.location().endpoint());
    assertEquals(S3Location.DEFAULT_PART_SIZE, p.location().partSize());
    assertTrue(p.location().pathStyle());
    assertNull(p.credentials());
  }

  @Test
  void problemsNameTheirKeyPaths() {
    assertNull(read("""
        repositories:
          - s3:
              bucket: Not_A_Bucket
              sse: rot13
              part_size: 1MB
              secret_access_key: ${SECRET}
              colour: blue
        """, Map.of("SECRET", "hidden-value")));
    String all = String.join("\n", problems.lines());
    assertTrue(all.contains("repositories[0].s3.region: required"), all);
    assertTrue(all.contains("repositories[0].s3.part_size: 1MB is out of range"), all);
    assertTrue(all.contains("repositories[0].s3.colour: unknown key"), all);
    assertTrue(all.contains("repositories[0].s3.access_key_id: access_key_id and secret_access_key go together"), all);
    assertTrue(all.contains("repositories[0].s3.sse: \"rot13\" is not one of none, AES256, aws:kms"), all);
    assertFalse(all.contains("hidden-value"), all);
  }

  @Test
  void aBadBucketNameIsReportedAtItsKey() {
    assertNull(read("repositories:\n  - s3: {region: eu-west-1, bucket: Not_A_Bucket}\n", Map.of()));
    assertTrue(String.join("\n", problems.lines()).contains("repositories[0].s3.bucket: \"Not_A_Bucket\" is not a"
        + " bucket name"), problems.lines().toString());
  }
}
