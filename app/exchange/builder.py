"""Building QDA-XML: elements in one namespace, attributes left out when empty, text cleaned of characters
XML cannot carry (counted, so that the export report can say so)."""

from __future__ import annotations

from lxml import etree

from app.exchange.xml import Element, clean


class Builder:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.stripped = 0

    def clean(self, value: str) -> str:
        """``value`` without the characters XML cannot hold (counted)."""
        return self._clean(value)

    def _clean(self, value: str) -> str:
        cleaned, removed = clean(value)
        self.stripped += removed
        return cleaned

    def root(self, tag: str, **attributes: str | None) -> Element:
        element = etree.Element(f"{{{self.namespace}}}{tag}", nsmap={None: self.namespace})
        self._set(element, attributes)
        return element

    def add(self, parent: Element, tag: str, text: str | None = None, **attributes: str | None) -> Element:
        element = etree.SubElement(parent, f"{{{self.namespace}}}{tag}")
        self._set(element, attributes)
        if text is not None:
            element.text = self._clean(text)
        return element

    def _set(self, element: Element, attributes: dict[str, str | None]) -> None:
        for key, value in attributes.items():
            if value is not None and value != "":
                element.set(key, self._clean(value))
