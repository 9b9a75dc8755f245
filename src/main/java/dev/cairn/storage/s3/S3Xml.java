package dev.cairn.storage.s3;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** S3's XML answers: parsed without DTDs or external entities, read by element names (namespaces ignored). */
final class S3Xml {
  private S3Xml() {}

  static Element parse(Buffer body) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      f.setNamespaceAware(false);
      Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes()));
      return d.getDocumentElement();
    } catch (Exception e) {
      throw new IllegalArgumentException("unreadable XML from the store: " + e.getMessage(), e);
    }
  }

  /** The direct children of {@code e} named {@code name}. */
  static List<Element> children(Element e, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nl = e.getChildNodes();
    for (int i = 0; i < nl.getLength(); i++) {
      Node n = nl.item(i);
      if (n instanceof Element c && c.getTagName().equals(name)) {
        out.add(c);
      }
    }
    return out;
  }

  /** The text of the first child named {@code name}, or null. */
  static String text(Element e, String name) {
    List<Element> c = children(e, name);
    return c.isEmpty() ? null : c.get(0).getTextContent();
  }

  static Optional<String> errorCode(Buffer body) {
    return errorField(body, "Code");
  }

  static Optional<String> errorMessage(Buffer body) {
    return errorField(body, "Message");
  }

  private static Optional<String> errorField(Buffer body, String field) {
    if (body == null || body.length() == 0) {
      return Optional.empty();
    }
    try {
      Element root = parse(body);
      return root.getTagName().equals("Error") ? Optional.ofNullable(text(root, field)).filter(s -> !s.isBlank())
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
