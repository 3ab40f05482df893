/**
 * The sample's approved ads (synthetic, on the seed page's themes: a sound studio in Moscow,
 * a camera in Sochi, a flat in Lviv, English lessons), seeded on the first `npm start` by
 * scripts/lib/sample-ads.ts so that "private ads today" on the front page is not empty.
 * A module rather than a .json file: the build reads every .json under scripts/sample as a
 * feed, and here the shape is checked against the API's own schema type.
 */
import type * as v from 'valibot';
import type { AdContent } from '../../src/core/submissions/schemas.ts';

export const SAMPLE_ADS: v.InferInput<typeof AdContent>[] = [
  {
    title: 'Студия звукозаписи в Москве: запись, сведение, мастеринг',
    text: 'Две комнаты, ламповые микрофоны, опытные звукорежиссёры. Запись вокала и инструментов, подкасты, озвучка. Работаем без выходных, первый час со скидкой.',
    category: 'services',
    price: {
      amount: 2500,
      currency: 'RUB',
    },
    contact: {
      name: 'Ольга',
      email: 'studio@example.com',
      phone: '+7 495 123-45-67',
    },
    location: 'Москва, м. Савёловская',
    lang: 'ru',
    images: [],
  },
  {
    title: 'Продаю фотоаппарат Nikon D750 с объективом 24-120',
    text: 'Пробег затвора 18 тысяч, полный комплект: коробка, два аккумулятора, зарядка, ремень. Проверка на месте, возможна доставка по Сочи.',
    category: 'electronics',
    price: {
      amount: 65000,
      currency: 'RUB',
    },
    contact: {
      name: 'Андрей',
      phone: '+7 862 555-01-02',
    },
    location: 'Сочи',
    lang: 'ru',
    images: [],
  },
  {
    title: 'Здам квартиру біля Ринку на тривалий термін',
    text: 'Однокімнатна квартира 38 м² у центрі Львова, після ремонту, меблі та техніка. Без тварин. Оплата щомісяця, депозит за один місяць.',
    category: 'realty',
    price: {
      amount: 14000,
      currency: 'UAH',
    },
    contact: {
      name: 'Марія',
      email: 'lviv.flat@example.com',
    },
    location: 'Львів',
    lang: 'uk',
    images: [],
  },
  {
    title: 'English conversation lessons online, all levels',
    text: 'Native speaker with ten years of teaching. Conversation practice, exam preparation and business English, one hour by video call at a time that suits you.',
    category: 'education',
    price: {
      amount: 20,
      currency: 'EUR',
    },
    contact: {
      name: 'James',
      email: 'lessons@example.com',
    },
    location: 'Online',
    lang: 'en',
    images: [],
  },
];
